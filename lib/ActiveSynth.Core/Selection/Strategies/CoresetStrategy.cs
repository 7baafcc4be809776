namespace ActiveSynth.Core.Selection.Strategies;

/// <summary>
/// <c>coreset</c> (Sener &amp; Savarese): greedy k-center on the mean-pooled hidden-state Embedding, Euclidean.
/// The first center is the candidate farthest from the mean embedding (default) or one drawn with <c>rng</c>
/// (<see cref="CoresetStart.Random"/>); each next pick is the candidate farthest from its nearest chosen
/// center, ties to the smaller id (ordinal). Pick.Score = that distance (for the first pick: its distance to
/// the mean). Once every candidate coincides with a center, the rest come in id order with score 0.
/// </summary>
public sealed class CoresetStrategy(CoresetStart start = CoresetStart.FarthestFromMean) : ISelectionStrategy
{
    public const string StrategyName = "coreset";

    public string Name => StrategyName;

    public SignalNeeds Needs => SignalNeeds.Embedding;

    public CoresetStart Start { get; } = Enum.IsDefined(start) ? start : throw new ArgumentOutOfRangeException(nameof(start), start, "Unknown coreset start.");

    public IReadOnlyList<Pick> Select(IReadOnlyList<CandidateSignals> candidates, int count, Random rng)
    {
        var sorted = SelectionInput.Canonical(candidates, count, rng);
        if (sorted is null)
        {
            return [];
        }
        var x = SelectionInput.Vectors(sorted, StrategyName, nameof(CandidateSignals.Embedding), static c => c.Embedding);
        var mean = VectorMath.Mean(x);
        var toMean = x.Select(v => VectorMath.SquaredDistance(v, mean)).ToArray();
        var first = Start == CoresetStart.Random ? rng.Next(x.Length) : ArgMax(toMean, null);

        var k = Math.Min(count, x.Length);
        var picks = new List<Pick>(k) { new(sorted[first].Id, Math.Sqrt(toMean[first])) };
        var chosen = new bool[x.Length];
        chosen[first] = true;
        var nearest = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            nearest[i] = VectorMath.SquaredDistance(x[i], x[first]);
        }
        while (picks.Count < k)
        {
            var next = ArgMax(nearest, chosen);
            chosen[next] = true;
            picks.Add(new Pick(sorted[next].Id, Math.Sqrt(nearest[next])));
            for (var i = 0; i < x.Length; i++)
            {
                if (!chosen[i])
                {
                    nearest[i] = Math.Min(nearest[i], VectorMath.SquaredDistance(x[i], x[next]));
                }
            }
        }
        return picks;
    }

    /// <summary>Index of the largest value not yet chosen; ties to the smaller index (= smaller id).</summary>
    private static int ArgMax(double[] values, bool[]? chosen)
    {
        var best = -1;
        for (var i = 0; i < values.Length; i++)
        {
            if ((chosen is null || !chosen[i]) && (best < 0 || values[i] > values[best]))
            {
                best = i;
            }
        }
        return best;
    }
}
