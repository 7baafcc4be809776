namespace ActiveSynth.Cli.Seeds;

/// <summary>
/// Where imported seed and test sets live in the artifact directory, and how <c>--seed-file</c>/<c>--test-file</c> name
/// them: a bare set name (<c>gsm8k-train</c>, as <c>seeds import</c> stored it) means <c>seeds/&lt;name&gt;.jsonl</c>;
/// anything with a '/' or an extension is a path under the artifact root, given as the spec's seed_file/test_file.
/// </summary>
internal static class SeedSets
{
    public const string Folder = "seeds";

    /// <summary>The artifact-relative path of the imported set <paramref name="name"/>.</summary>
    public static string PathOf(string name) => $"{Folder}/{name}.jsonl";

    /// <summary>The spec's seed_file/test_file for a <c>--seed-file</c>/<c>--test-file</c> value.</summary>
    public static string ToSpecPath(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        return value.Contains('/', StringComparison.Ordinal) || Path.HasExtension(value) ? value : PathOf(value);
    }
}
