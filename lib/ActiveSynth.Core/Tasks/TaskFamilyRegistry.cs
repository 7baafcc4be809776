using ActiveSynth.Core.Tasks.Families;
using ActiveSynth.Core.Tasks.Graders;

namespace ActiveSynth.Core.Tasks;

/// <summary>
/// Task families and graders by name. Names are case-sensitive and part of run specs and datasets; a few
/// aliases ("reverse", "arithmetic") map to the short names. Items of imported datasets carry family
/// <see cref="ImportedFamily"/>: they have a grader but no generator.
/// </summary>
public sealed class TaskFamilyRegistry
{
    /// <summary>Family name of items imported from GSM8K-format files.</summary>
    public const string ImportedFamily = "gsm8k";

    private readonly Dictionary<string, ITaskFamily> _families = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);

    /// <param name="families">Families to register (names must be distinct).</param>
    /// <param name="aliases">Extra names (alias → registered name).</param>
    public TaskFamilyRegistry(IEnumerable<ITaskFamily> families, IReadOnlyDictionary<string, string>? aliases = null)
    {
        ArgumentNullException.ThrowIfNull(families);
        foreach (var family in families)
        {
            if (!_families.TryAdd(family.Name, family))
            {
                throw new ArgumentException($"Task family '{family.Name}' is registered twice.", nameof(families));
            }
        }
        foreach (var (alias, name) in aliases ?? new Dictionary<string, string>())
        {
            _aliases[alias] = _families.ContainsKey(name) ? name : throw new ArgumentException($"Alias '{alias}' names unknown family '{name}'.", nameof(aliases));
        }
    }

    /// <summary>Every built-in family: copy, rev, shift (the learnable v7 set), arith, logic, list.</summary>
    public static TaskFamilyRegistry Default { get; } = CreateDefault();

    /// <summary>The learnable string families the embedded benchmark uses by default (v7).</summary>
    public static IReadOnlyList<string> EmbeddedBenchmarkFamilies { get; } = ["copy", "rev", "shift"];

    /// <summary>Registered family names (aliases excluded), in registration order.</summary>
    public IEnumerable<string> Names => _families.Keys;

    public IEnumerable<ITaskFamily> Families => _families.Values;

    /// <summary>The family named <paramref name="name"/> (or an alias), or null.</summary>
    public ITaskFamily? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_aliases.TryGetValue(name, out var target))
        {
            name = target;
        }
        return _families.GetValueOrDefault(name);
    }

    /// <summary>The family named <paramref name="name"/>; throws naming the known families otherwise.</summary>
    public ITaskFamily Get(string name) =>
        Find(name) ?? throw new KeyNotFoundException($"Unknown task family '{name}'. Known: {string.Join(", ", _families.Keys)}.");

    /// <summary>The grader for items of <paramref name="family"/>: the family's own, else the text grader (imported data).</summary>
    public IAnswerGrader GraderFor(string family) => Find(family)?.Grader ?? TextAnswerGrader.Instance;

    private static TaskFamilyRegistry CreateDefault() =>
        new TaskFamilyRegistry([StringTransformFamily.Copy, StringTransformFamily.Reverse, StringTransformFamily.Shift,
                ArithmeticFamily.Instance, LogicFamily.Instance, ListFamily.Instance],
            new Dictionary<string, string>(StringComparer.Ordinal) { ["reverse"] = "rev", ["arithmetic"] = "arith" });
}
