using System.Globalization;
using ActiveSynth.Core.Selection.Strategies;

namespace ActiveSynth.Core.Selection;

/// <summary>
/// The selection strategies by name (docs/architecture.md, "Strategies"). Names and option keys are
/// case-sensitive (ordinal). Options are strings so they travel in run specs and gRPC maps unchanged;
/// numbers use the invariant culture.
/// </summary>
public static class StrategyRegistry
{
    /// <summary>Option of <c>loss-high-fam</c>: <c>round-robin</c> (default) or <c>zscore</c>.</summary>
    public const string ModeOption = "mode";

    /// <summary>Option of <c>lion</c>: share of hard picks in [0, 1], default 0.5.</summary>
    public const string HardRatioOption = "hard_ratio";

    /// <summary>Option of <c>coreset</c>: <c>farthest-from-mean</c> (default) or <c>random</c>.</summary>
    public const string StartOption = "start";

    private static readonly Dictionary<string, string> NoOptions = [];

    private static readonly (StrategyInfo Info, Func<IReadOnlyDictionary<string, string>, ISelectionStrategy> Create)[] Entries =
    [
        (Info(RandomStrategy.StrategyName, SignalNeeds.None,
            "Uniform without replacement, seeded: static generation, the baseline."),
            _ => new RandomStrategy()),
        (Info(StaticStrategy.StrategyName, SignalNeeds.None,
            "Static generation: random's uniform picks, but the whole budget is generated before the student trains, then as many rounds of training."),
            _ => new StaticStrategy()),
        (Info(LossHighStrategy.StrategyName, SignalNeeds.OwnNll,
            "Top-m by the student's mean token NLL on its own greedy answer (uncertainty; the paper's best)."),
            _ => new LossHighStrategy()),
        (Info(LossHighAnswerStrategy.StrategyName, SignalNeeds.AnswerNll,
            "Top-m by the NLL over the final-answer tokens only (normalises away long reasoning)."),
            _ => new LossHighAnswerStrategy()),
        (Info(LossHighFamilyStrategy.StrategyName, SignalNeeds.OwnNll,
            "Own-answer NLL ranked within each task family, picks interleaved across families.",
            (ModeOption, "round-robin (default): each family's next-best in turn; zscore: NLL z-scored within family, then global top-m")),
            o => new LossHighFamilyStrategy(ParseEnum(o, LossHighFamilyStrategy.StrategyName, ModeOption, FamilyRankMode.RoundRobin,
                ("round-robin", FamilyRankMode.RoundRobin), ("zscore", FamilyRankMode.ZScore)))),
        (Info(LossLowStrategy.StrategyName, SignalNeeds.OwnNll,
            "Bottom-m by own-answer NLL (ablation / sanity check; should rank last)."),
            _ => new LossLowStrategy()),
        (Info(GroundTruthLossHighStrategy.StrategyName, SignalNeeds.ReferenceNll,
            "Top-m by the teacher-forced NLL of the reference answer."),
            _ => new GroundTruthLossHighStrategy()),
        (Info(EntropyStrategy.StrategyName, SignalNeeds.EntropyMargin,
            "Top-m by mean predictive entropy over the student's answer tokens."),
            _ => new EntropyStrategy()),
        (Info(MarginStrategy.StrategyName, SignalNeeds.EntropyMargin,
            "Bottom-m by mean top-1 minus top-2 probability margin (least confident first)."),
            _ => new MarginStrategy()),
        (Info(IncorrectStrategy.StrategyName, SignalNeeds.Correctness,
            "Wrong answers first in random order, then correct ones at random (LLM2LLM-style)."),
            _ => new IncorrectStrategy()),
        (Info(RewardLowStrategy.StrategyName, SignalNeeds.Reward,
            "Bottom-m by the reward-model / verifier score of the student's answer."),
            _ => new RewardLowStrategy()),
        (Info(JudgeHardStrategy.StrategyName, SignalNeeds.JudgeDifficulty,
            "Top-m by the teacher judge's difficulty rating (hardest first)."),
            _ => new JudgeHardStrategy()),
        (Info(LionStrategy.StrategyName, SignalNeeds.JudgeDifficulty,
            "Lion-style mix: a share of the hardest by judge difficulty, the rest from the easiest.",
            (HardRatioOption, "share of picks from the hardest end, in [0, 1] (default 0.5); the rest are the easiest")),
            o => new LionStrategy(ParseRatio(o, LionStrategy.StrategyName, HardRatioOption, LionStrategy.DefaultHardRatio))),
        (Info(CoresetStrategy.StrategyName, SignalNeeds.Embedding,
            "Greedy k-center on the mean-pooled hidden-state embedding (Euclidean): a diverse batch.",
            (StartOption, "farthest-from-mean (default): first center is the point farthest from the mean; random: a seeded random point")),
            o => new CoresetStrategy(ParseEnum(o, CoresetStrategy.StrategyName, StartOption, CoresetStart.FarthestFromMean,
                ("farthest-from-mean", CoresetStart.FarthestFromMean), ("random", CoresetStart.Random)))),
        (Info(BadgeStrategy.StrategyName, SignalNeeds.GradientEmbedding,
            "BADGE: k-means++ seeding on last-layer gradient embeddings (largest norm first, then D² sampling)."),
            _ => new BadgeStrategy()),
    ];

    private static readonly Dictionary<string, int> ByName =
        Entries.Select((e, i) => (e.Info.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);

    /// <summary>Registered names, in the order of the DESIGN table.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Entries.Select(e => e.Info.Name)];

    /// <summary>Every registered strategy's description, in the order of <see cref="Names"/>.</summary>
    public static IReadOnlyList<StrategyInfo> Strategies { get; } = [.. Entries.Select(e => e.Info)];

    /// <summary>True when <paramref name="name"/> is registered.</summary>
    public static bool Contains(string name) => name is not null && ByName.ContainsKey(name);

    /// <summary>The description of <paramref name="name"/>; throws listing the valid names if unknown.</summary>
    public static StrategyInfo Describe(string name) => Entries[IndexOf(name)].Info;

    /// <summary>The strategy <paramref name="name"/> with default options.</summary>
    public static ISelectionStrategy Create(string name) => Create(name, null);

    /// <summary>
    /// The strategy <paramref name="name"/> configured by <paramref name="options"/> (null = none). Throws
    /// <see cref="ArgumentException"/> naming an unknown name (with the valid ones), an option key the strategy
    /// does not take (with the ones it does), or a bad option value.
    /// </summary>
    public static ISelectionStrategy Create(string name, IReadOnlyDictionary<string, string>? options)
    {
        var entry = Entries[IndexOf(name)];
        options ??= NoOptions;
        foreach (var key in options.Keys)
        {
            if (!entry.Info.Options.ContainsKey(key))
            {
                var valid = entry.Info.Options.Count == 0 ? "it takes no options" : "valid: " + string.Join(", ", entry.Info.Options.Keys);
                throw new ArgumentException($"Strategy '{name}' has no option '{key}' ({valid}).", nameof(options));
            }
        }
        return entry.Create(options);
    }

    private static int IndexOf(string name) =>
        name is not null && ByName.TryGetValue(name, out var index)
            ? index
            : throw new ArgumentException($"Unknown selection strategy '{name}'. Valid strategies: {string.Join(", ", Names)}.", nameof(name));

    private static StrategyInfo Info(string name, SignalNeeds needs, string description, params (string Key, string Description)[] options) =>
        new(name, needs, description, options.ToDictionary(o => o.Key, o => o.Description, StringComparer.Ordinal));

    private static T ParseEnum<T>(IReadOnlyDictionary<string, string> options, string strategy, string key, T fallback, params (string Text, T Value)[] values)
    {
        if (!options.TryGetValue(key, out var text))
        {
            return fallback;
        }
        foreach (var (valueText, value) in values)
        {
            if (string.Equals(text, valueText, StringComparison.Ordinal))
            {
                return value;
            }
        }
        throw new ArgumentException(
            $"Strategy '{strategy}': option '{key}' has invalid value '{text}' (valid: {string.Join(", ", values.Select(v => v.Text))}).", "options");
    }

    private static double ParseRatio(IReadOnlyDictionary<string, string> options, string strategy, string key, double fallback)
    {
        if (!options.TryGetValue(key, out var text))
        {
            return fallback;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0.0 && value <= 1.0
            ? value
            : throw new ArgumentException($"Strategy '{strategy}': option '{key}' has invalid value '{text}' (a number in [0, 1]).", "options");
    }
}
