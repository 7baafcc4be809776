namespace ActiveSynth.Core.Selection.Strategies;

/// <summary>
/// <c>gt-loss-high</c>: Top-m by the teacher-forced NLL of the reference answer. Pick.Score = ReferenceNll.
/// Ties go to the smaller id (ordinal).
/// </summary>
public sealed class GroundTruthLossHighStrategy : ISelectionStrategy
{
    public const string StrategyName = "gt-loss-high";

    public string Name => StrategyName;

    public SignalNeeds Needs => SignalNeeds.ReferenceNll;

    public IReadOnlyList<Pick> Select(IReadOnlyList<CandidateSignals> candidates, int count, Random rng) =>
        Ranking.Select(StrategyName, candidates, count, rng, nameof(CandidateSignals.ReferenceNll), static c => c.ReferenceNll, highestFirst: true);
}
