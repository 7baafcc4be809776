namespace ActiveSynth.Core.Selection;

/// <summary>
/// What a registered strategy is, for ListStrategies: its name, the signals the scorer must compute for it,
/// a one-line description, and its options (key → description with the default).
/// </summary>
public sealed record StrategyInfo(string Name, SignalNeeds Needs, string Description, IReadOnlyDictionary<string, string> Options);
