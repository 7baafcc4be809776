using ActiveSynth.Core.Tasks;

namespace ActiveSynth.Core.Students;

/// <summary>
/// The <c>StudentSpec.options</c> an embedded student reads. <c>base_families</c>: the task families (comma-separated registered
/// procedural families) its base is pretrained on, at the Training service's base difficulties; absent = the service's
/// <c>Training:BaseFamilies</c>. A benchmark whose families differ from the deployment's default names its own here, so its base
/// knows its answer format and its replay data comes from its own families. The base is cached per families.
/// </summary>
public static class EmbeddedStudentOptions
{
    public const string BaseFamilies = "base_families";

    /// <summary>The families <paramref name="options"/> names for the base, or null when it names none.</summary>
    public static IReadOnlyList<string>? BaseFamiliesOf(IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.TryGetValue(BaseFamilies, out var text)
            ? [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
            : null;
    }

    /// <summary>What is wrong with <c>base_families</c> (empty, or naming a family that cannot generate items), or null.</summary>
    public static string? Problem(IReadOnlyDictionary<string, string> options, TaskFamilyRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (BaseFamiliesOf(options) is not { } families)
        {
            return null;
        }
        if (families.Count == 0)
        {
            return "names no family; give registered families comma-separated, or leave it out for the service's default";
        }
        var unknown = families.Where(f => registry.Find(f) is null).ToList();
        return unknown.Count == 0 ? null
            : $"unknown or not procedural: {string.Join(", ", unknown)} (known: {string.Join(", ", registry.Names)})";
    }
}
