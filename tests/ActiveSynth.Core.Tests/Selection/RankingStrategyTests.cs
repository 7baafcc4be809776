using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Selection.Strategies;

namespace ActiveSynth.Core.Tests.Selection;

public sealed class RankingStrategyTests
{
    private static readonly Random Rng = new(0);

    [Fact]
    public void Loss_high_picks_exactly_the_top_m_by_own_nll_with_it_as_score()
    {
        var candidates = SelectionTestData.Full(50);
        var expected = candidates.OrderByDescending(c => c.OwnNll).Take(10).ToList();

        var picks = new LossHighStrategy().Select(candidates, 10, new Random(1));

        Assert.Equal(expected.Select(c => c.Id), picks.Select(p => p.Id));
        Assert.Equal(expected.Select(c => c.OwnNll!.Value), picks.Select(p => p.Score));
    }

    [Fact]
    public void Loss_low_picks_exactly_the_bottom_m_by_own_nll()
    {
        var candidates = SelectionTestData.Full(50);
        var expected = candidates.OrderBy(c => c.OwnNll).Take(10).Select(c => c.Id);

        var picks = new LossLowStrategy().Select(candidates, 10, new Random(1));

        Assert.Equal(expected, picks.Select(p => p.Id));
        Assert.True(picks[0].Score <= picks[^1].Score);
    }

    public static TheoryData<string, string, bool> RankedBySignal => new()
    {
        { "loss-high-ans", nameof(CandidateSignals.AnswerNll), true },
        { "gt-loss-high", nameof(CandidateSignals.ReferenceNll), true },
        { "entropy", nameof(CandidateSignals.Entropy), true },
        { "margin", nameof(CandidateSignals.Margin), false },
        { "reward-low", nameof(CandidateSignals.Reward), false },
        { "judge-hard", nameof(CandidateSignals.JudgeDifficulty), true },
    };

    [Theory]
    [MemberData(nameof(RankedBySignal))]
    public void Single_signal_strategies_rank_by_their_signal(string name, string signal, bool highestFirst)
    {
        var candidates = SelectionTestData.Full(40);
        var property = typeof(CandidateSignals).GetProperty(signal)!;
        double Value(CandidateSignals c) => (double)property.GetValue(c)!;
        var ordered = highestFirst ? candidates.OrderByDescending(Value) : candidates.OrderBy(Value);
        var expected = ordered.Take(7).ToList();

        var picks = StrategyRegistry.Create(name).Select(candidates, 7, Rng);

        Assert.Equal(expected.Select(c => c.Id), picks.Select(p => p.Id));
        Assert.Equal(expected.Select(Value), picks.Select(p => p.Score));
    }

    [Fact]
    public void Ties_go_to_the_smaller_id_whatever_the_input_order()
    {
        List<CandidateSignals> candidates =
        [
            new("b", "f", 1) { OwnNll = 1.0 },
            new("c", "f", 1) { OwnNll = 2.0 },
            new("a", "f", 1) { OwnNll = 1.0 },
            new("d", "f", 1) { OwnNll = 1.0 },
        ];

        var picks = new LossHighStrategy().Select(candidates, 3, Rng);

        Assert.Equal(["c", "a", "b"], picks.Select(p => p.Id));
    }

    [Fact]
    public void Answer_nll_and_own_nll_can_disagree()
    {
        List<CandidateSignals> candidates =
        [
            new("long-cot", "arith", 3) { OwnNll = 3.0, AnswerNll = 0.1 },
            new("hard-answer", "rev", 3) { OwnNll = 0.5, AnswerNll = 2.0 },
        ];

        Assert.Equal("long-cot", new LossHighStrategy().Select(candidates, 1, Rng)[0].Id);
        Assert.Equal("hard-answer", new LossHighAnswerStrategy().Select(candidates, 1, Rng)[0].Id);
    }
}
