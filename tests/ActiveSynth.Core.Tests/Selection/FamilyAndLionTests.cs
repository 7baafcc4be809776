using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Selection.Strategies;

namespace ActiveSynth.Core.Tests.Selection;

public sealed class FamilyAndLionTests
{
    private static readonly Random Rng = new(0);

    /// <summary>arith's NLL scale dwarfs the string families' (the spike's v6 failure).</summary>
    private static List<CandidateSignals> Skewed()
    {
        var list = new List<CandidateSignals>();
        for (var i = 0; i < 10; i++)
        {
            list.Add(new($"arith-{i}", "arith", 2) { OwnNll = 5.0 + (i * 0.1) });
            list.Add(new($"copy-{i}", "copy", 2) { OwnNll = 0.1 + (i * 0.01) });
            list.Add(new($"rev-{i}", "rev", 2) { OwnNll = 0.5 + (i * 0.02) });
        }
        return list;
    }

    [Fact]
    public void Loss_high_takes_a_skewed_family_only_but_round_robin_spreads_across_families()
    {
        var candidates = Skewed();

        var plain = new LossHighStrategy().Select(candidates, 9, Rng);
        var rr = new LossHighFamilyStrategy().Select(candidates, 9, Rng);

        Assert.All(plain, p => Assert.StartsWith("arith", p.Id));
        var perFamily = rr.GroupBy(p => p.Id.Split('-')[0]).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(3, perFamily.Count);
        Assert.All(perFamily.Values, n => Assert.Equal(3, n));
        // Turn 1 = each family's top, highest NLL first; then turn 2.
        Assert.Equal(["arith-9", "rev-9", "copy-9", "arith-8", "rev-8", "copy-8"], rr.Take(6).Select(p => p.Id));
        Assert.Equal(candidates.Single(c => c.Id == "copy-9").OwnNll!.Value, rr[2].Score);
    }

    [Fact]
    public void Round_robin_continues_with_the_other_families_when_one_runs_out()
    {
        var candidates = Skewed();
        candidates.Add(new("tiny-0", "tiny", 1) { OwnNll = 9.0 });

        var picks = new LossHighFamilyStrategy(FamilyRankMode.RoundRobin).Select(candidates, 8, Rng);

        Assert.Equal("tiny-0", picks[0].Id);
        Assert.Single(picks, p => p.Id.StartsWith("tiny", StringComparison.Ordinal));
        Assert.Equal(8, picks.Select(p => p.Id).Distinct().Count());
        Assert.Equal(3, picks.Count(p => p.Id.StartsWith("arith", StringComparison.Ordinal)));
    }

    [Fact]
    public void Zscore_mode_normalises_within_family_then_takes_the_global_top()
    {
        var candidates = Skewed();

        var picks = StrategyRegistry.Create("loss-high-fam", new Dictionary<string, string> { ["mode"] = "zscore" }).Select(candidates, 6, Rng);

        // Every family has the same linear ladder, so the z-scores tie per rank: the top 2 of each family.
        Assert.Equal(
            new HashSet<string> { "arith-9", "arith-8", "copy-9", "copy-8", "rev-9", "rev-8" },
            picks.Select(p => p.Id).ToHashSet());
        var expectedTop = (0.45 / Math.Sqrt(Enumerable.Range(0, 10).Average(i => Math.Pow((i - 4.5) * 0.1, 2)))); // ~1.567
        Assert.InRange(picks[0].Score, expectedTop - 1e-3, expectedTop + 1e-3);
        Assert.True(picks.Zip(picks.Skip(1)).All(p => p.First.Score >= p.Second.Score - 1e-9), "scores are non-increasing");
    }

    [Theory]
    [InlineData(0.5, 10, 5)]
    [InlineData(0.75, 8, 6)]
    [InlineData(0.0, 6, 0)]
    [InlineData(1.0, 6, 6)]
    [InlineData(0.25, 10, 3)] // 2.5 rounds up
    public void Lion_takes_the_hard_ratio_from_the_hardest_and_the_rest_from_the_easiest(double ratio, int m, int hard)
    {
        var candidates = Enumerable.Range(0, 40).Select(i => new CandidateSignals($"j{i:D2}", "f", 1) { JudgeDifficulty = i / 40.0 }).ToList();
        var strategy = StrategyRegistry.Create("lion", new Dictionary<string, string> { ["hard_ratio"] = ratio.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        var picks = strategy.Select(candidates, m, Rng);

        var hardest = candidates.OrderByDescending(c => c.JudgeDifficulty).Take(hard).Select(c => c.Id);
        var easiest = candidates.OrderBy(c => c.JudgeDifficulty).Take(m - hard).Select(c => c.Id);
        Assert.Equal(hardest.Concat(easiest), picks.Select(p => p.Id));
        Assert.Equal(hard, picks.Count(p => p.Score >= 0.5));
    }

    [Fact]
    public void Lion_default_ratio_is_half()
    {
        Assert.Equal(0.5, ((LionStrategy)StrategyRegistry.Create("lion")).HardRatio);
    }
}
