using System.Security.Cryptography;

namespace ActiveSynth.Core.Artifacts;

/// <summary>
/// A directory of artifacts addressed by relative paths. Writes are atomic (temp file, then rename) and
/// return the sha256 that messages carry, so a reader can tell a complete artifact from a torn or altered one.
/// </summary>
public sealed class ArtifactStore
{
    public ArtifactStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>Resolves a relative artifact path; rejects absolute paths and any path that leaves the root.</summary>
    public string Resolve(string relativePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(relativePath);
        if (Path.IsPathRooted(relativePath))
        {
            throw new ArgumentException($"Artifact path '{relativePath}' must be relative to the artifact root.", nameof(relativePath));
        }
        var full = Path.GetFullPath(Path.Combine(Root, relativePath));
        var rootWithSeparator = Root.EndsWith(Path.DirectorySeparatorChar) ? Root : Root + Path.DirectorySeparatorChar;
        if (!full.StartsWith(rootWithSeparator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Artifact path '{relativePath}' leaves the artifact root.", nameof(relativePath));
        }
        return full;
    }

    /// <summary>Writes the artifact atomically and returns its lowercase hex sha256.</summary>
    public async Task<string> WriteAsync(string relativePath, Func<Stream, CancellationToken, Task> write, CancellationToken ct = default)
    {
        var target = Resolve(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = $"{target}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await write(file, ct);
                await file.FlushAsync(ct);
            }
            var sha = await Sha256Async(temp, ct);
            File.Move(temp, target, overwrite: true);
            return sha;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Opens an artifact for reading after checking that its content still has the expected sha256.</summary>
    public async Task<Stream> OpenVerifiedAsync(string relativePath, string expectedSha256, CancellationToken ct = default)
    {
        var path = Resolve(relativePath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Artifact '{relativePath}' does not exist in {Root}.", path);
        }
        var actual = await Sha256Async(path, ct);
        if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"Artifact '{relativePath}' is corrupted: sha256 {actual}, expected {expectedSha256}.");
        }
        return File.OpenRead(path);
    }

    public static async Task<string> Sha256Async(string path, CancellationToken ct = default)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
    }
}
