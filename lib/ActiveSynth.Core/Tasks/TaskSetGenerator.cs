namespace ActiveSynth.Core.Tasks;

/// <summary>
/// Generates seed pools and held-out test sets balanced over (family, difficulty) cells: every cell gets
/// count / cells items (the first count % cells cells one more), interleaved, with no question twice and
/// none from <c>exclude</c> (so a test set never repeats a seed). Deterministic for the random seed.
/// </summary>
public static class TaskSetGenerator
{
    private const int MaxTriesPerItem = 1000;

    /// <param name="families">Families to draw from.</param>
    /// <param name="minDifficulty">Inclusive, clipped to each family's range.</param>
    /// <param name="maxDifficulty">Inclusive, clipped to each family's range.</param>
    /// <param name="count">Items to generate.</param>
    /// <param name="randomSeed">Seed of the generator.</param>
    /// <param name="idPrefix">Ids are <c>&lt;prefix&gt;-&lt;index&gt;</c>; no '/' (ids are part of stream keys).</param>
    /// <param name="exclude">Questions that must not appear (e.g. the seed pool when generating the test set).</param>
    public static IReadOnlyList<TaskItem> Generate(IReadOnlyList<ITaskFamily> families, int minDifficulty, int maxDifficulty,
        int count, int randomSeed, string idPrefix, IReadOnlySet<string>? exclude = null)
    {
        ArgumentNullException.ThrowIfNull(families);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentException.ThrowIfNullOrWhiteSpace(idPrefix);
        if (idPrefix.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("Ids must not contain '/'.", nameof(idPrefix));
        }
        var cells = families
            .SelectMany(f => Enumerable.Range(Math.Max(minDifficulty, f.MinDifficulty), Math.Max(0, Math.Min(maxDifficulty, f.MaxDifficulty) - Math.Max(minDifficulty, f.MinDifficulty) + 1))
                .Select(d => (Family: f, Difficulty: d)))
            .ToList();
        if (count > 0 && cells.Count == 0)
        {
            throw new ArgumentException($"No family has a difficulty in [{minDifficulty}, {maxDifficulty}].", nameof(minDifficulty));
        }
        var rng = new Random(randomSeed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var items = new List<TaskItem>(count);
        for (var i = 0; i < count; i++)
        {
            var (family, difficulty) = cells[i % cells.Count];
            var id = FormattableString.Invariant($"{idPrefix}-{i:D5}");
            items.Add(Distinct(family, difficulty, id, rng, seen, exclude));
        }
        return items;
    }

    private static TaskItem Distinct(ITaskFamily family, int difficulty, string id, Random rng, HashSet<string> seen, IReadOnlySet<string>? exclude)
    {
        for (var attempt = 0; attempt < MaxTriesPerItem; attempt++)
        {
            var item = family.Generate(id, difficulty, rng);
            if (exclude?.Contains(item.Question) != true && seen.Add(item.Question))
            {
                return item;
            }
        }
        throw new InvalidOperationException($"Family '{family.Name}' at difficulty {difficulty} ran out of distinct questions.");
    }
}
