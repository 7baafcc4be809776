using ActiveSynth.Core.Artifacts;

namespace ActiveSynth.Cli.Seeds;

/// <summary>
/// Checks of a <c>--seed-file</c>/<c>--test-file</c> value (an imported set's name or a JSONL path under the artifact root)
/// that need no deployment, so a typo fails at once with the option's name rather than as a refused spec.
/// </summary>
internal static class TaskFiles
{
    /// <summary>A problem with the value's form; null when it may name a set or file.</summary>
    public static string? Problem(string option, string? value)
    {
        if (value is null)
        {
            return null;
        }
        if (string.IsNullOrWhiteSpace(value))
        {
            return $"{option}: give an imported set's name or a path under the artifact root";
        }
        if (value.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
        {
            return $"{option}: '{value}' is Parquet; runs read imported sets: import it first (activesynth seeds import {value} --artifacts <dir>) and give the set's name";
        }
        return !Path.IsPathRooted(value) && ArtifactStore.ProblemWith(SeedSets.ToSpecPath(value)) is { } problem ? $"{option}: '{value}' {problem}" : null;
    }

    /// <summary>For a run in this process: the set or file is not in <paramref name="artifacts"/>; null when it is there.</summary>
    public static string? MissingLocally(string option, string? value, string artifacts)
    {
        if (value is null || Problem(option, value) is not null)
        {
            return null;
        }
        var path = SeedSets.ToSpecPath(value);
        var full = Path.IsPathRooted(path) ? path : Path.Combine(artifacts, path);
        if (File.Exists(full))
        {
            return null;
        }
        return path == value
            ? $"{option}: '{value}' is not a file under the artifact directory {Path.GetFullPath(artifacts)}"
            : $"{option}: no imported set '{value}' in {Path.GetFullPath(Path.Combine(artifacts, SeedSets.Folder))} (store one with: activesynth seeds import <file> --name {value} --artifacts {artifacts})";
    }
}
