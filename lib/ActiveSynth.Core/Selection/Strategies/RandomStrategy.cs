namespace ActiveSynth.Core.Selection.Strategies;

/// <summary>
/// <c>random</c>: m candidates drawn uniformly without replacement (static generation, the baseline).
/// A partial Fisher–Yates shuffle over the candidates sorted by id, so the same <see cref="Random"/> state
/// gives the same picks whatever order the candidates came in. Needs no signal; Pick.Score = 0.
/// </summary>
public sealed class RandomStrategy : ISelectionStrategy
{
    public const string StrategyName = "random";

    public string Name => StrategyName;

    public SignalNeeds Needs => SignalNeeds.None;

    public IReadOnlyList<Pick> Select(IReadOnlyList<CandidateSignals> candidates, int count, Random rng)
    {
        var sorted = SelectionInput.Canonical(candidates, count, rng);
        if (sorted is null)
        {
            return [];
        }
        var picks = new Pick[Math.Min(count, sorted.Length)];
        for (var r = 0; r < picks.Length; r++)
        {
            var j = rng.Next(r, sorted.Length);
            (sorted[r], sorted[j]) = (sorted[j], sorted[r]);
            picks[r] = new Pick(sorted[r].Id, 0.0);
        }
        return picks;
    }
}
