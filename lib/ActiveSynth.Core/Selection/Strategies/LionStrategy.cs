namespace ActiveSynth.Core.Selection.Strategies;

/// <summary>
/// <c>lion</c> (Lion-style easy/hard mix on the teacher judge's difficulty): of k = min(m, candidates) picks,
/// round(k · <see cref="HardRatio"/>) (halves round up) are the hardest by JudgeDifficulty, hardest first,
/// and the rest the easiest, easiest first. Ties go to the smaller id (ordinal). Pick.Score = JudgeDifficulty.
/// </summary>
public sealed class LionStrategy : ISelectionStrategy
{
    public const string StrategyName = "lion";

    public const double DefaultHardRatio = 0.5;

    /// <param name="hardRatio">Share of the picks taken from the hardest end, in [0, 1].</param>
    public LionStrategy(double hardRatio = DefaultHardRatio)
    {
        if (!(hardRatio >= 0.0 && hardRatio <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(hardRatio), hardRatio, "The hard ratio must be in [0, 1].");
        }
        HardRatio = hardRatio;
    }

    public string Name => StrategyName;

    public SignalNeeds Needs => SignalNeeds.JudgeDifficulty;

    public double HardRatio { get; }

    public IReadOnlyList<Pick> Select(IReadOnlyList<CandidateSignals> candidates, int count, Random rng)
    {
        var sorted = SelectionInput.Canonical(candidates, count, rng);
        if (sorted is null)
        {
            return [];
        }
        var difficulty = SelectionInput.Scalars(sorted, StrategyName, nameof(CandidateSignals.JudgeDifficulty), static c => c.JudgeDifficulty);
        var hardestFirst = Ranking.Order(difficulty, highestFirst: true);
        var easiestFirst = Ranking.Order(difficulty, highestFirst: false);
        var k = Math.Min(count, sorted.Length);
        var hard = (int)Math.Round(k * HardRatio, MidpointRounding.AwayFromZero);
        var picks = new List<Pick>(k);
        var taken = new bool[sorted.Length];
        foreach (var i in hardestFirst.Take(hard))
        {
            taken[i] = true;
            picks.Add(new Pick(sorted[i].Id, difficulty[i]));
        }
        foreach (var i in easiestFirst)
        {
            if (picks.Count == k)
            {
                break;
            }
            if (!taken[i])
            {
                taken[i] = true;
                picks.Add(new Pick(sorted[i].Id, difficulty[i]));
            }
        }
        return picks;
    }
}
