using System.Collections.Concurrent;
using System.Reflection;
using System.Text.RegularExpressions;

namespace ActiveSynth.Teachers.Prompts;

/// <summary>
/// The versioned prompt templates compiled into this assembly (Prompts/&lt;version&gt;/&lt;name&gt;.txt; see Prompts/README.md).
/// </summary>
public static partial class PromptLibrary
{
    /// <summary>The version used when a run does not name one.</summary>
    public const string CurrentVersion = "v1";

    public const string System = "system";
    public const string Question = "question";
    public const string Solution = "solution";
    public const string JudgeDifficulty = "judge-difficulty";
    public const string JudgeAnswer = "judge-answer";

    private const string ResourcePrefix = "ActiveSynth.Teachers.Prompts.";
    private static readonly ConcurrentDictionary<(string, string), string> Cache = new();

    /// <summary>Versions available (folder names).</summary>
    public static IReadOnlyList<string> Versions { get; } = typeof(PromptLibrary).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
        .Select(n => n[ResourcePrefix.Length..].Split('/', '\\')[0])
        .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The version to use for <paramref name="requested"/> (empty = current); throws naming the known versions.</summary>
    public static string Resolve(string? requested)
    {
        var version = string.IsNullOrWhiteSpace(requested) ? CurrentVersion : requested.Trim();
        return Versions.Contains(version, StringComparer.Ordinal)
            ? version
            : throw new ArgumentException($"Unknown prompt version '{version}'. Known: {string.Join(", ", Versions)}.", nameof(requested));
    }

    /// <summary>The raw template text.</summary>
    public static string Template(string version, string name) => Cache.GetOrAdd((version, name), static key =>
    {
        var resource = $"{ResourcePrefix}{key.Item1}/{key.Item2}.txt";
        using var stream = typeof(PromptLibrary).Assembly.GetManifestResourceStream(resource)
            ?? throw new ArgumentException($"Prompt template '{key.Item2}' does not exist in version '{key.Item1}'.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().TrimEnd();
    });

    /// <summary>Fills <c>{{name}}</c> placeholders; a placeholder without a value throws, so templates and callers cannot drift apart.</summary>
    public static string Render(string version, string name, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Placeholder().Replace(Template(version, name), match =>
            values.TryGetValue(match.Groups[1].Value, out var value)
                ? value
                : throw new ArgumentException($"Prompt '{version}/{name}' needs a value for '{match.Groups[1].Value}'."));
    }

    [GeneratedRegex(@"\{\{([a-z_]+)\}\}")]
    private static partial Regex Placeholder();
}
