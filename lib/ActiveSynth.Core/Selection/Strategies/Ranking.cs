namespace ActiveSynth.Core.Selection.Strategies;

/// <summary>Top-m / bottom-m by one scalar signal; ties go to the smaller id (ordinal).</summary>
internal static class Ranking
{
    /// <summary>Candidate indices ordered by <paramref name="values"/> (highest or lowest first), ties by index (= id order).</summary>
    public static int[] Order(double[] values, bool highestFirst)
    {
        var order = new int[values.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        Array.Sort(order, (a, b) =>
        {
            var byValue = highestFirst ? values[b].CompareTo(values[a]) : values[a].CompareTo(values[b]);
            return byValue != 0 ? byValue : a.CompareTo(b);
        });
        return order;
    }

    /// <summary>The whole selection of a plain ranking strategy. Pick.Score = the signal value.</summary>
    public static IReadOnlyList<Pick> Select(
        string strategy, IReadOnlyList<CandidateSignals> candidates, int count, Random rng,
        string signal, Func<CandidateSignals, double?> get, bool highestFirst)
    {
        var sorted = SelectionInput.Canonical(candidates, count, rng);
        if (sorted is null)
        {
            return [];
        }
        var values = SelectionInput.Scalars(sorted, strategy, signal, get);
        var order = Order(values, highestFirst);
        var picks = new Pick[Math.Min(count, sorted.Length)];
        for (var r = 0; r < picks.Length; r++)
        {
            picks[r] = new Pick(sorted[order[r]].Id, values[order[r]]);
        }
        return picks;
    }
}
