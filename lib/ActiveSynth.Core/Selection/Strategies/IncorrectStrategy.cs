namespace ActiveSynth.Core.Selection.Strategies;

/// <summary>
/// <c>incorrect</c> (LLM2LLM-style): candidates whose greedy answer is wrong first, in random order; when
/// fewer than m are wrong, the rest are correct ones in random order. Ties are broken by <c>rng</c> (a shuffle
/// of the candidates sorted by id). Pick.Score = 1 for a wrong answer, 0 for a correct one.
/// </summary>
public sealed class IncorrectStrategy : ISelectionStrategy
{
    public const string StrategyName = "incorrect";

    public string Name => StrategyName;

    public SignalNeeds Needs => SignalNeeds.Correctness;

    public IReadOnlyList<Pick> Select(IReadOnlyList<CandidateSignals> candidates, int count, Random rng)
    {
        var sorted = SelectionInput.Canonical(candidates, count, rng);
        if (sorted is null)
        {
            return [];
        }
        var wrong = new List<string>();
        var right = new List<string>();
        foreach (var c in sorted)
        {
            var correct = c.Correct ?? throw SelectionInput.Missing(StrategyName, c.Id, nameof(CandidateSignals.Correct));
            (correct ? right : wrong).Add(c.Id);
        }
        Shuffle(wrong, rng);
        Shuffle(right, rng);
        var picks = new List<Pick>(Math.Min(count, sorted.Length));
        foreach (var id in wrong)
        {
            if (picks.Count == count)
            {
                return picks;
            }
            picks.Add(new Pick(id, 1.0));
        }
        foreach (var id in right)
        {
            if (picks.Count == count)
            {
                return picks;
            }
            picks.Add(new Pick(id, 0.0));
        }
        return picks;
    }

    private static void Shuffle(List<string> items, Random rng)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
