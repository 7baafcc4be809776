namespace ActiveSynth.Core.Selection.Strategies;

/// <summary>
/// Argument checks and signal extraction shared by the strategies. Every strategy works on the candidates
/// sorted by id (ordinal): the picks then do not depend on the order the scorer delivered them in (scoring
/// results arrive from competing consumers in any order), and ties fall back to id order.
/// </summary>
internal static class SelectionInput
{
    /// <summary>Checks the arguments; returns the candidates sorted by id, or null when nothing is to be picked.</summary>
    public static CandidateSignals[]? Canonical(IReadOnlyList<CandidateSignals> candidates, int count, Random rng)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(rng);
        var sorted = new CandidateSignals[candidates.Count];
        for (var i = 0; i < sorted.Length; i++)
        {
            sorted[i] = candidates[i] ?? throw new ArgumentException($"Candidate at index {i} is null.", nameof(candidates));
            if (sorted[i].Id is null)
            {
                throw new ArgumentException($"Candidate at index {i} has a null id.", nameof(candidates));
            }
        }
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Id, b.Id));
        for (var i = 1; i < sorted.Length; i++)
        {
            if (string.Equals(sorted[i].Id, sorted[i - 1].Id, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Candidate id '{sorted[i].Id}' occurs more than once; ids must be unique.", nameof(candidates));
            }
        }
        return count <= 0 || sorted.Length == 0 ? null : sorted;
    }

    /// <summary>One scalar signal per candidate; throws naming the first candidate that lacks it (or has NaN).</summary>
    public static double[] Scalars(CandidateSignals[] candidates, string strategy, string signal, Func<CandidateSignals, double?> get)
    {
        var values = new double[candidates.Length];
        for (var i = 0; i < candidates.Length; i++)
        {
            var value = get(candidates[i]) ?? throw Missing(strategy, candidates[i].Id, signal);
            values[i] = double.IsNaN(value)
                ? throw new ArgumentException($"Strategy '{strategy}': candidate '{candidates[i].Id}' has signal {signal} = NaN.", nameof(candidates))
                : value;
        }
        return values;
    }

    /// <summary>One vector signal per candidate (as doubles); all must be present, non-empty, finite and of one dimension.</summary>
    public static double[][] Vectors(CandidateSignals[] candidates, string strategy, string signal, Func<CandidateSignals, float[]?> get)
    {
        var vectors = new double[candidates.Length][];
        for (var i = 0; i < candidates.Length; i++)
        {
            var id = candidates[i].Id;
            var raw = get(candidates[i]);
            if (raw is null || raw.Length == 0)
            {
                throw Missing(strategy, id, signal);
            }
            if (i > 0 && raw.Length != vectors[0].Length)
            {
                throw new ArgumentException(
                    $"Strategy '{strategy}': candidate '{id}' has a {signal} of dimension {raw.Length}, but '{candidates[0].Id}' has {vectors[0].Length}.",
                    nameof(candidates));
            }
            var vector = new double[raw.Length];
            for (var d = 0; d < raw.Length; d++)
            {
                vector[d] = float.IsFinite(raw[d])
                    ? raw[d]
                    : throw new ArgumentException($"Strategy '{strategy}': candidate '{id}' has a non-finite {signal} component at {d}.", nameof(candidates));
            }
            vectors[i] = vector;
        }
        return vectors;
    }

    public static ArgumentException Missing(string strategy, string id, string signal) =>
        new($"Strategy '{strategy}' needs signal {signal}, but candidate '{id}' has none.", "candidates");
}
