namespace ActiveSynth.Core.Selection.Strategies;

/// <summary>
/// <c>margin</c>: Bottom-m by mean top-1 minus top-2 probability (least confident first). Pick.Score = Margin.
/// Ties go to the smaller id (ordinal).
/// </summary>
public sealed class MarginStrategy : ISelectionStrategy
{
    public const string StrategyName = "margin";

    public string Name => StrategyName;

    public SignalNeeds Needs => SignalNeeds.EntropyMargin;

    public IReadOnlyList<Pick> Select(IReadOnlyList<CandidateSignals> candidates, int count, Random rng) =>
        Ranking.Select(StrategyName, candidates, count, rng, nameof(CandidateSignals.Margin), static c => c.Margin, highestFirst: false);
}
