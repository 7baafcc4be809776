namespace ActiveSynth.Core.Selection.Strategies;

/// <summary>
/// <c>entropy</c>: Top-m by mean predictive entropy over the own-answer tokens. Pick.Score = Entropy.
/// Ties go to the smaller id (ordinal).
/// </summary>
public sealed class EntropyStrategy : ISelectionStrategy
{
    public const string StrategyName = "entropy";

    public string Name => StrategyName;

    public SignalNeeds Needs => SignalNeeds.EntropyMargin;

    public IReadOnlyList<Pick> Select(IReadOnlyList<CandidateSignals> candidates, int count, Random rng) =>
        Ranking.Select(StrategyName, candidates, count, rng, nameof(CandidateSignals.Entropy), static c => c.Entropy, highestFirst: true);
}
