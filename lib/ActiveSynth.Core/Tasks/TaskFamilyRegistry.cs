using ActiveSynth.Core.Tasks.Families;
using ActiveSynth.Core.Tasks.Graders;

namespace ActiveSynth.Core.Tasks;

/// <summary>
/// Task families and graders by name. Names are case-sensitive and part of run specs and datasets; a few
/// aliases ("reverse", "arithmetic") map to the short names. Two kinds are registered: procedural families
/// (<see cref="ITaskFamily"/>: a generator, a solver and a grader) and families of imported data
/// (<see cref="DatasetFamily"/>: a grader only), such as <see cref="ImportedFamily"/>, the family of GSM8K files.
/// </summary>
public sealed class TaskFamilyRegistry
{
    /// <summary>Family name of items imported from GSM8K-format files.</summary>
    public const string ImportedFamily = "gsm8k";

    /// <summary>Family name of imported items whose final answers are short text rather than numbers.</summary>
    public const string TextFamily = "text";

    private readonly Dictionary<string, ITaskFamily> _families = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DatasetFamily> _datasetFamilies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);

    /// <param name="families">Procedural families to register (names must be distinct).</param>
    /// <param name="aliases">Extra names (alias → registered name).</param>
    /// <param name="datasetFamilies">Families of imported data (grader only); names distinct from every other family.</param>
    public TaskFamilyRegistry(IEnumerable<ITaskFamily> families, IReadOnlyDictionary<string, string>? aliases = null,
        IEnumerable<DatasetFamily>? datasetFamilies = null)
    {
        ArgumentNullException.ThrowIfNull(families);
        foreach (var family in families)
        {
            if (!_families.TryAdd(family.Name, family))
            {
                throw new ArgumentException($"Task family '{family.Name}' is registered twice.", nameof(families));
            }
        }
        foreach (var family in datasetFamilies ?? [])
        {
            if (_families.ContainsKey(family.Name) || !_datasetFamilies.TryAdd(family.Name, family))
            {
                throw new ArgumentException($"Task family '{family.Name}' is registered twice.", nameof(datasetFamilies));
            }
        }
        foreach (var (alias, name) in aliases ?? new Dictionary<string, string>())
        {
            _aliases[alias] = _families.ContainsKey(name) ? name : throw new ArgumentException($"Alias '{alias}' names unknown family '{name}'.", nameof(aliases));
        }
    }

    /// <summary>
    /// Every built-in family: copy, rev, shift (the learnable v7 set), swap, back, rot (the letters benchmark), arith, logic, list, and sum10, bool, minmax and step10
    /// (arithmetic and logic rescaled for the tiny student; step10 and bool are the second benchmark's set); and for imported
    /// data gsm8k (numeric final answers) and text.
    /// </summary>
    public static TaskFamilyRegistry Default { get; } = CreateDefault();

    /// <summary>The learnable string families the embedded benchmark uses by default (v7).</summary>
    public static IReadOnlyList<string> EmbeddedBenchmarkFamilies { get; } = ["copy", "rev", "shift"];

    /// <summary>
    /// The second benchmark's families: arithmetic and logic rescaled so that every cell is learnable by the tiny student
    /// (step10 and bool: 100 % in every cell of the learnability check in each seed measured, benchmarks/README.md).
    /// </summary>
    public static IReadOnlyList<string> ArithLogicBenchmarkFamilies { get; } = ["step10", "bool"];

    /// <summary>
    /// The third benchmark's families: letter transforms other than copy, rev and shift (swap, back, rot), of the same shape, so
    /// that the student learns them from the few hundred samples a comparison's budget buys (arith-logic needs far more).
    /// </summary>
    public static IReadOnlyList<string> LettersBenchmarkFamilies { get; } = ["swap", "back", "rot"];

    /// <summary>Registered procedural family names (aliases excluded), in registration order: the ones that generate items.</summary>
    public IEnumerable<string> Names => _families.Keys;

    /// <summary>Names of the families of imported data, in registration order.</summary>
    public IEnumerable<string> DatasetFamilyNames => _datasetFamilies.Keys;

    /// <summary>Every name an item's family may have: the families of imported data, then the procedural ones.</summary>
    public IEnumerable<string> AllNames => _datasetFamilies.Keys.Concat(_families.Keys);

    public IEnumerable<ITaskFamily> Families => _families.Values;

    public IEnumerable<DatasetFamily> DatasetFamilies => _datasetFamilies.Values;

    /// <summary>The procedural family named <paramref name="name"/> (or an alias), or null (also for a family of imported data).</summary>
    public ITaskFamily? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_aliases.TryGetValue(name, out var target))
        {
            name = target;
        }
        return _families.GetValueOrDefault(name);
    }

    /// <summary>The family of imported data named <paramref name="name"/>, or null.</summary>
    public DatasetFamily? FindDatasetFamily(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _datasetFamilies.GetValueOrDefault(name);
    }

    /// <summary>True when <paramref name="name"/> is a registered family of either kind (or an alias).</summary>
    public bool IsKnown(string name) => Find(name) is not null || FindDatasetFamily(name) is not null;

    /// <summary>The procedural family named <paramref name="name"/>; throws naming the known families otherwise.</summary>
    public ITaskFamily Get(string name) =>
        Find(name) ?? throw new KeyNotFoundException(FindDatasetFamily(name) is not null
            ? $"Task family '{name}' is a family of imported data: it grades items but cannot generate them."
            : $"Unknown task family '{name}'. Known: {string.Join(", ", _families.Keys)}.");

    /// <summary>The grader of a registered family of either kind, or null for an unknown name.</summary>
    public IAnswerGrader? FindGrader(string family) => Find(family)?.Grader ?? FindDatasetFamily(family)?.Grader;

    /// <summary>The grader for items of <paramref name="family"/>: the family's own, else the text grader (an unknown family).</summary>
    public IAnswerGrader GraderFor(string family) => FindGrader(family) ?? TextAnswerGrader.Instance;

    private static TaskFamilyRegistry CreateDefault() =>
        new TaskFamilyRegistry([StringTransformFamily.Copy, StringTransformFamily.Reverse, StringTransformFamily.Shift,
                StringTransformFamily.Swap, StringTransformFamily.Back, StringTransformFamily.Rotate,
                ArithmeticFamily.Instance, LogicFamily.Instance, ListFamily.Instance,
                RunningValueFamily.Sum10, RunningValueFamily.Bool, RunningValueFamily.MinMax, RunningValueFamily.Step10],
            new Dictionary<string, string>(StringComparer.Ordinal) { ["reverse"] = "rev", ["arithmetic"] = "arith" },
            [new DatasetFamily(ImportedFamily, Gsm8kAnswerGrader.Instance, "numeric final answers after '####' (GSM8K)"),
                new DatasetFamily(TextFamily, TextAnswerGrader.Instance, "short text final answers, compared case- and space-insensitively")]);
}
