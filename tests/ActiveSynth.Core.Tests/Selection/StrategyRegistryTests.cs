using ActiveSynth.Core.Selection;

namespace ActiveSynth.Core.Tests.Selection;

public sealed class StrategyRegistryTests
{
    private static readonly string[] DesignTable =
    [
        "random", "static", "loss-high", "loss-high-ans", "loss-high-fam", "loss-low", "gt-loss-high", "entropy", "margin",
        "incorrect", "reward-low", "judge-hard", "lion", "coreset", "badge",
    ];

    public static TheoryData<string> AllNames => [.. StrategyRegistry.Names];

    public static TheoryData<string> NamesNeedingSignals => [.. StrategyRegistry.Names.Where(n => StrategyRegistry.Describe(n).Needs != SignalNeeds.None)];

    [Fact]
    public void Registry_holds_exactly_the_design_table()
    {
        Assert.Equal(DesignTable, StrategyRegistry.Names);
        Assert.Equal(DesignTable, StrategyRegistry.Strategies.Select(s => s.Name));
        Assert.All(StrategyRegistry.Strategies, s => Assert.False(string.IsNullOrWhiteSpace(s.Description)));
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void Every_registered_name_constructs_and_selects_distinct_ids(string name)
    {
        var strategy = StrategyRegistry.Create(name, new Dictionary<string, string>());
        var candidates = SelectionTestData.Full(30);

        var picks = strategy.Select(candidates, 12, new Random(1));

        Assert.Equal(name, strategy.Name);
        Assert.Equal(StrategyRegistry.Describe(name).Needs, strategy.Needs);
        Assert.Equal(12, picks.Count);
        Assert.Equal(12, picks.Select(p => p.Id).Distinct().Count());
        Assert.All(picks, p => Assert.False(double.IsNaN(p.Score)));
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void Count_out_of_range_gives_empty_or_all(string name)
    {
        var strategy = StrategyRegistry.Create(name);
        var candidates = SelectionTestData.Full(9);

        Assert.Empty(strategy.Select(candidates, 0, new Random(1)));
        Assert.Empty(strategy.Select(candidates, -3, new Random(1)));
        Assert.Empty(strategy.Select([], 5, new Random(1)));
        var all = strategy.Select(candidates, 50, new Random(1));
        Assert.Equal(candidates.Select(c => c.Id).Order(), all.Select(p => p.Id).Order());
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void Picks_do_not_depend_on_the_input_order(string name)
    {
        var candidates = SelectionTestData.Full(40);
        var order = new Random(123);
        var shuffled = candidates.OrderBy(_ => order.Next()).ToList();
        var strategy = StrategyRegistry.Create(name);

        var a = strategy.Select(candidates, 10, new Random(8));
        var b = strategy.Select(shuffled, 10, new Random(8));

        Assert.Equal(a, b);
    }

    [Theory]
    [MemberData(nameof(NamesNeedingSignals))]
    public void Missing_signal_error_names_the_candidate_and_the_signal(string name)
    {
        var candidates = SelectionTestData.Full(10);
        candidates.Insert(4, new CandidateSignals("seed-without-signals", "copy", 1));

        var error = Assert.Throws<ArgumentException>(() => StrategyRegistry.Create(name).Select(candidates, 3, new Random(1)));

        Assert.Contains("seed-without-signals", error.Message, StringComparison.Ordinal);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        var signalWord = StrategyRegistry.Describe(name).Needs switch
        {
            SignalNeeds.OwnNll => "OwnNll",
            SignalNeeds.AnswerNll => "AnswerNll",
            SignalNeeds.ReferenceNll => "ReferenceNll",
            SignalNeeds.Correctness => "Correct",
            SignalNeeds.EntropyMargin => name == "entropy" ? "Entropy" : "Margin",
            SignalNeeds.Reward => "Reward",
            SignalNeeds.JudgeDifficulty => "JudgeDifficulty",
            SignalNeeds.Embedding => "Embedding",
            SignalNeeds.GradientEmbedding => "GradientEmbedding",
            var other => throw new InvalidOperationException($"unexpected {other}"),
        };
        Assert.Contains(signalWord, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_needs_no_signal()
    {
        var candidates = new[] { new CandidateSignals("bare", "copy", 1) };

        Assert.Equal("bare", StrategyRegistry.Create("random").Select(candidates, 1, new Random(1)).Single().Id);
    }

    [Fact]
    public void Nan_signal_is_rejected_naming_the_candidate()
    {
        var candidates = SelectionTestData.Full(5);
        candidates[2] = candidates[2] with { OwnNll = double.NaN };

        var error = Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("loss-high").Select(candidates, 2, new Random(1)));

        Assert.Contains(candidates[2].Id, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_ids_are_rejected()
    {
        var candidates = SelectionTestData.Full(5);
        candidates.Add(candidates[1] with { OwnNll = 100 });

        var error = Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("loss-high").Select(candidates, 2, new Random(1)));

        Assert.Contains(candidates[1].Id, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_name_is_rejected_listing_the_valid_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("loss-hihg", null));

        Assert.Contains("loss-hihg", error.Message, StringComparison.Ordinal);
        Assert.All(StrategyRegistry.Names, n => Assert.Contains(n, error.Message, StringComparison.Ordinal));
        Assert.False(StrategyRegistry.Contains("loss-hihg"));
        Assert.True(StrategyRegistry.Contains("badge"));
        Assert.Throws<ArgumentException>(() => StrategyRegistry.Create("Loss-High"));
    }

    [Theory]
    [InlineData("loss-high", "mode", "zscore", "mode")]
    [InlineData("lion", "ratio", "0.5", "ratio")]
    [InlineData("lion", "hard_ratio", "1.5", "1.5")]
    [InlineData("lion", "hard_ratio", "half", "half")]
    [InlineData("lion", "hard_ratio", "NaN", "NaN")]
    [InlineData("loss-high-fam", "mode", "rr", "rr")]
    [InlineData("coreset", "start", "middle", "middle")]
    public void Bad_option_key_or_value_is_rejected_naming_it(string name, string key, string value, string named)
    {
        var error = Assert.Throws<ArgumentException>(() => StrategyRegistry.Create(name, new Dictionary<string, string> { [key] = value }));

        Assert.Contains($"'{named}'", error.Message, StringComparison.Ordinal);
        Assert.Equal("options", error.ParamName);
    }

    [Fact]
    public void Options_are_described_and_accepted()
    {
        Assert.Equal(["mode"], StrategyRegistry.Describe("loss-high-fam").Options.Keys);
        Assert.Equal(["hard_ratio"], StrategyRegistry.Describe("lion").Options.Keys);
        Assert.Equal(["start"], StrategyRegistry.Describe("coreset").Options.Keys);
        Assert.Empty(StrategyRegistry.Describe("loss-high").Options);

        var rr = (Core.Selection.Strategies.LossHighFamilyStrategy)StrategyRegistry.Create("loss-high-fam", new Dictionary<string, string> { ["mode"] = "round-robin" });
        var z = (Core.Selection.Strategies.LossHighFamilyStrategy)StrategyRegistry.Create("loss-high-fam", new Dictionary<string, string> { ["mode"] = "zscore" });
        var start = (Core.Selection.Strategies.CoresetStrategy)StrategyRegistry.Create("coreset", new Dictionary<string, string> { ["start"] = "random" });
        var lion = (Core.Selection.Strategies.LionStrategy)StrategyRegistry.Create("lion", new Dictionary<string, string> { ["hard_ratio"] = "0.3" });

        Assert.Equal(Core.Selection.Strategies.FamilyRankMode.RoundRobin, rr.Mode);
        Assert.Equal(Core.Selection.Strategies.FamilyRankMode.ZScore, z.Mode);
        Assert.Equal(Core.Selection.Strategies.CoresetStart.Random, start.Start);
        Assert.Equal(0.3, lion.HardRatio);
    }
}
