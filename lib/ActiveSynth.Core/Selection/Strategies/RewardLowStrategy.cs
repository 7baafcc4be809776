namespace ActiveSynth.Core.Selection.Strategies;

/// <summary>
/// <c>reward-low</c>: Bottom-m by the reward-model / verifier score of the student's answer. Pick.Score = Reward.
/// Ties go to the smaller id (ordinal).
/// </summary>
public sealed class RewardLowStrategy : ISelectionStrategy
{
    public const string StrategyName = "reward-low";

    public string Name => StrategyName;

    public SignalNeeds Needs => SignalNeeds.Reward;

    public IReadOnlyList<Pick> Select(IReadOnlyList<CandidateSignals> candidates, int count, Random rng) =>
        Ranking.Select(StrategyName, candidates, count, rng, nameof(CandidateSignals.Reward), static c => c.Reward, highestFirst: false);
}
