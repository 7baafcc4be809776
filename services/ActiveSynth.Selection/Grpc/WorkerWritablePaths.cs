using System.Text.RegularExpressions;

namespace ActiveSynth.Selection.Grpc;

/// <summary>
/// What a worker replica publishes through the artifact service: a base student (<c>bases/&lt;hash&gt;/&lt;file&gt;</c>) and a run's
/// round checkpoints (<c>runs/&lt;run&gt;/checkpoints/r&lt;n&gt;/&lt;file&gt;</c>). Everything else (seeds, datasets, reports) is
/// Selection's own and is never uploaded; artifacts are immutable, so a path already written cannot be replaced either.
/// </summary>
public static partial class WorkerWritablePaths
{
    public const string Description = "bases/<hash>/<file> or runs/<run>/checkpoints/r<round>/<file>";

    /// <summary>Why a worker may not upload <paramref name="path"/>, or null when it may.</summary>
    public static string? ProblemWith(string path) =>
        WorkerPath().IsMatch(path) ? null : $"is not a path workers write ({Description})";

    [GeneratedRegex(@"^(bases/[A-Za-z0-9_.-]+|runs/[A-Za-z0-9_.-]+/checkpoints/r[0-9]+)/[A-Za-z0-9_.-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex WorkerPath();
}
