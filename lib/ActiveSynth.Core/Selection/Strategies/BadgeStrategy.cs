namespace ActiveSynth.Core.Selection.Strategies;

/// <summary>
/// <c>badge</c> (Ash et al., BADGE): k-means++ seeding on the last-layer GradientEmbedding, so the batch is
/// both uncertain (large gradient norm) and diverse. The first pick is the candidate with the largest norm
/// (ties to the smaller id, ordinal); each next one is drawn with <c>rng</c> with probability proportional to
/// D², its squared Euclidean distance to the nearest pick so far (if every D² is 0, uniformly among the rest).
/// Pick.Score = the norm for the first pick, then D (the distance, not squared) at the time of the draw.
/// </summary>
public sealed class BadgeStrategy : ISelectionStrategy
{
    public const string StrategyName = "badge";

    public string Name => StrategyName;

    public SignalNeeds Needs => SignalNeeds.GradientEmbedding;

    public IReadOnlyList<Pick> Select(IReadOnlyList<CandidateSignals> candidates, int count, Random rng)
    {
        var sorted = SelectionInput.Canonical(candidates, count, rng);
        if (sorted is null)
        {
            return [];
        }
        var g = SelectionInput.Vectors(sorted, StrategyName, nameof(CandidateSignals.GradientEmbedding), static c => c.GradientEmbedding);
        var first = 0;
        var firstNorm = VectorMath.SquaredNorm(g[0]);
        for (var i = 1; i < g.Length; i++)
        {
            var norm = VectorMath.SquaredNorm(g[i]);
            if (norm > firstNorm)
            {
                (first, firstNorm) = (i, norm);
            }
        }

        var k = Math.Min(count, g.Length);
        var picks = new List<Pick>(k) { new(sorted[first].Id, Math.Sqrt(firstNorm)) };
        var chosen = new bool[g.Length];
        chosen[first] = true;
        var d2 = new double[g.Length];
        for (var i = 0; i < g.Length; i++)
        {
            d2[i] = chosen[i] ? 0.0 : VectorMath.SquaredDistance(g[i], g[first]);
        }
        while (picks.Count < k)
        {
            var next = Draw(d2, chosen, rng);
            picks.Add(new Pick(sorted[next].Id, Math.Sqrt(d2[next])));
            chosen[next] = true;
            d2[next] = 0.0;
            for (var i = 0; i < g.Length; i++)
            {
                if (!chosen[i])
                {
                    d2[i] = Math.Min(d2[i], VectorMath.SquaredDistance(g[i], g[next]));
                }
            }
        }
        return picks;
    }

    /// <summary>An unchosen index drawn with probability ∝ d2 (uniformly when all are 0).</summary>
    private static int Draw(double[] d2, bool[] chosen, Random rng)
    {
        var total = 0.0;
        var remaining = 0;
        for (var i = 0; i < d2.Length; i++)
        {
            if (!chosen[i])
            {
                total += d2[i];
                remaining++;
            }
        }
        if (total > 0.0 && double.IsFinite(total))
        {
            var u = rng.NextDouble() * total;
            var last = -1;
            for (var i = 0; i < d2.Length; i++)
            {
                if (chosen[i] || d2[i] <= 0.0)
                {
                    continue;
                }
                last = i;
                u -= d2[i];
                if (u < 0.0)
                {
                    return i;
                }
            }
            return last; // rounding left u just above 0: the last positive-weight candidate
        }
        var target = rng.Next(remaining);
        for (var i = 0; i < d2.Length; i++)
        {
            if (!chosen[i] && target-- == 0)
            {
                return i;
            }
        }
        throw new InvalidOperationException("No candidate left to draw.");
    }
}
