namespace ActiveSynth.Core.Selection.Strategies;

/// <summary>
/// <c>loss-low</c>: Bottom-m by own-answer NLL: the most confident seeds (ablation / sanity check; should rank last). Pick.Score = OwnNll.
/// Ties go to the smaller id (ordinal).
/// </summary>
public sealed class LossLowStrategy : ISelectionStrategy
{
    public const string StrategyName = "loss-low";

    public string Name => StrategyName;

    public SignalNeeds Needs => SignalNeeds.OwnNll;

    public IReadOnlyList<Pick> Select(IReadOnlyList<CandidateSignals> candidates, int count, Random rng) =>
        Ranking.Select(StrategyName, candidates, count, rng, nameof(CandidateSignals.OwnNll), static c => c.OwnNll, highestFirst: false);
}
