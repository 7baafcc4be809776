namespace ActiveSynth.Core.Selection.Strategies;

/// <summary>
/// <c>loss-high</c>: Top-m by the student's mean token NLL on its own greedy answer (uncertainty; the paper's best). Pick.Score = OwnNll.
/// Ties go to the smaller id (ordinal).
/// </summary>
public sealed class LossHighStrategy : ISelectionStrategy
{
    public const string StrategyName = "loss-high";

    public string Name => StrategyName;

    public SignalNeeds Needs => SignalNeeds.OwnNll;

    public IReadOnlyList<Pick> Select(IReadOnlyList<CandidateSignals> candidates, int count, Random rng) =>
        Ranking.Select(StrategyName, candidates, count, rng, nameof(CandidateSignals.OwnNll), static c => c.OwnNll, highestFirst: true);
}
