namespace ActiveSynth.Core.Selection.Strategies;

/// <summary>
/// <c>judge-hard</c>: Top-m by the teacher judge's difficulty rating (1 = hardest). Pick.Score = JudgeDifficulty.
/// Ties go to the smaller id (ordinal).
/// </summary>
public sealed class JudgeHardStrategy : ISelectionStrategy
{
    public const string StrategyName = "judge-hard";

    public string Name => StrategyName;

    public SignalNeeds Needs => SignalNeeds.JudgeDifficulty;

    public IReadOnlyList<Pick> Select(IReadOnlyList<CandidateSignals> candidates, int count, Random rng) =>
        Ranking.Select(StrategyName, candidates, count, rng, nameof(CandidateSignals.JudgeDifficulty), static c => c.JudgeDifficulty, highestFirst: true);
}
