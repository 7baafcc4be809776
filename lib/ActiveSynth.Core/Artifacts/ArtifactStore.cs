using System.Security.Cryptography;

namespace ActiveSynth.Core.Artifacts;

/// <summary>
/// A directory of artifacts addressed by relative paths. Writes are atomic (temp file, then rename) and
/// return the sha256 that messages carry, so a reader can tell a complete artifact from a torn or altered one.
/// With a <see cref="Remote"/> (a replica that does not share the deployment's folder) the directory is this replica's
/// working copy: <see cref="PublishAsync"/> sends what it wrote to the remote, <see cref="FetchAsync"/> (and
/// <see cref="OpenVerifiedAsync"/>) bring in what it lacks, both checked by sha256. Without one, both are local checks only.
/// </summary>
public sealed class ArtifactStore
{
    public ArtifactStore(string root, IArtifactRemote? remote = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        Remote = remote;
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>Where artifacts are shared with replicas that do not share <see cref="Root"/>; null when the folder is shared.</summary>
    public IArtifactRemote? Remote { get; }

    /// <summary>
    /// Resolves a relative artifact path; rejects absolute paths, any path that leaves the root, and any path that
    /// passes through a symbolic link pointing outside the root (a link planted in the shared directory must not let a
    /// request read or overwrite files elsewhere). Problems throw <see cref="ArgumentException"/> saying which.
    /// </summary>
    public string Resolve(string relativePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(relativePath);
        if (ProblemWith(relativePath) is { } problem)
        {
            throw new ArgumentException($"Artifact path '{relativePath}' {problem}.", nameof(relativePath));
        }
        var full = Path.GetFullPath(Path.Combine(Root, relativePath));
        if (!IsUnder(full, Root))
        {
            throw new ArgumentException($"Artifact path '{relativePath}' leaves the artifact root.", nameof(relativePath));
        }
        if (LinkOutOfRoot(full) is { } link)
        {
            throw new ArgumentException($"Artifact path '{relativePath}' goes through the symbolic link '{link}', which points outside the artifact root.",
                nameof(relativePath));
        }
        return full;
    }

    /// <summary>
    /// Why <paramref name="relativePath"/> cannot name an artifact, judged from the text alone (absolute, a '..' segment,
    /// a NUL or backslash); null when it can. Lets a validator reject a request before touching the disk.
    /// </summary>
    public static string? ProblemWith(string relativePath)
    {
        if (string.IsNullOrWhiteSpace(relativePath))
        {
            return "is empty";
        }
        if (Path.IsPathRooted(relativePath))
        {
            return "must be relative to the artifact root";
        }
        if (relativePath.Contains('\0', StringComparison.Ordinal) || relativePath.Contains('\\', StringComparison.Ordinal))
        {
            return "contains a NUL or a backslash";
        }
        return relativePath.Split('/').Contains("..") ? "leaves the artifact root ('..')" : null;
    }

    private static bool IsUnder(string full, string root)
    {
        var rootWithSeparator = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return full.StartsWith(rootWithSeparator, StringComparison.Ordinal) || full == root;
    }

    /// <summary>The first existing component of <paramref name="full"/> below the root that is a link resolving outside it.</summary>
    private string? LinkOutOfRoot(string full)
    {
        var realRoot = RealPath(Root);
        var current = Root;
        foreach (var part in Path.GetRelativePath(Root, full).Split(Path.DirectorySeparatorChar))
        {
            current = Path.Combine(current, part);
            var info = new FileInfo(current);
            if (!info.Exists && !Directory.Exists(current))
            {
                return null; // nothing below a missing component can be a link yet
            }
            if (info.LinkTarget is not null)
            {
                string target;
                try
                {
                    target = RealPath(current);
                }
                catch (IOException)
                {
                    return Path.GetRelativePath(Root, current); // a link loop: never a usable artifact
                }
                if (!IsUnder(target, Root) && !IsUnder(target, realRoot))
                {
                    return Path.GetRelativePath(Root, current);
                }
            }
        }
        return null;
    }

    /// <summary>The path with every symbolic link among its components resolved (like realpath(3)).</summary>
    private static string RealPath(string full)
    {
        var result = Path.GetPathRoot(full)!;
        foreach (var part in full[result.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(result, part);
            var info = new FileInfo(next);
            var target = info.LinkTarget is null ? null : info.ResolveLinkTarget(returnFinalTarget: true);
            result = target is null ? next : RealPath(target.FullName);
        }
        return result;
    }

    /// <summary>
    /// Deletes the directory <paramref name="relativePath"/> (resolved with the same checks as every other path: nothing outside
    /// the root) and everything in it, and returns how many files were deleted; 0 when it does not exist. A symbolic link inside
    /// it is deleted as a link, never followed, so a link planted in the shared directory cannot make this delete files elsewhere.
    /// A replica's own working copy (with a <see cref="Remote"/>) is its cache and is not touched.
    /// </summary>
    public int DeleteDirectory(string relativePath)
    {
        var full = Resolve(relativePath);
        if (full == Root)
        {
            throw new ArgumentException("The artifact root itself cannot be deleted.", nameof(relativePath));
        }
        var info = new DirectoryInfo(full);
        if (info.LinkTarget is not null)
        {
            info.Delete(); // the link only
            return 0;
        }
        return info.Exists ? DeleteTree(info) : 0;
    }

    private static int DeleteTree(DirectoryInfo directory)
    {
        var files = 0;
        foreach (var entry in directory.EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo sub && sub.LinkTarget is null)
            {
                files += DeleteTree(sub);
            }
            else
            {
                entry.Delete(); // a file, or a link (to a file or a directory) deleted as a link
                files += entry is FileInfo && entry.LinkTarget is null ? 1 : 0;
            }
        }
        directory.Delete();
        return files;
    }

    /// <summary>Writes the artifact atomically and returns its lowercase hex sha256.</summary>
    public async Task<string> WriteAsync(string relativePath, Func<Stream, CancellationToken, Task> write, CancellationToken ct = default)
    {
        var target = Resolve(relativePath);
        return await WithTempBesideAsync(target, async temp =>
        {
            var sha = await WriteFileAsync(temp, write, ct);
            File.Move(temp, target, overwrite: true);
            return sha;
        });
    }

    /// <summary>
    /// Stores a new artifact only when its bytes hash to <paramref name="expectedSha256"/> (else <see cref="InvalidDataException"/>,
    /// nothing stored) and the path does not hold different bytes already (else <see cref="ArtifactConflictException"/>; the
    /// same bytes again are a no-op). The move into place never replaces a file, so two writers cannot interleave.
    /// </summary>
    public async Task<string> WriteNewAsync(string relativePath, Func<Stream, CancellationToken, Task> write, string expectedSha256, CancellationToken ct = default)
    {
        var target = Resolve(relativePath);
        return await WithTempBesideAsync(target, async temp =>
        {
            var sha = await WriteFileAsync(temp, write, ct);
            if (!string.Equals(sha, expectedSha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"Artifact '{relativePath}': the bytes received hash to sha256 {sha}, not the {expectedSha256} announced; nothing was stored.");
            }
            try
            {
                File.Move(temp, target, overwrite: false);
            }
            catch (IOException) when (File.Exists(target))
            {
                var held = await Sha256Async(target, ct);
                if (!string.Equals(held, sha, StringComparison.Ordinal))
                {
                    throw new ArtifactConflictException(relativePath, held, sha);
                }
            }
            return sha;
        });
    }

    /// <summary>
    /// Makes sure the artifact is in this folder: true when it is (now). Without a remote that is whether the file exists (its
    /// sha256 is checked when it is opened). With one, a missing local copy, or one that does not hash to
    /// <paramref name="expectedSha256"/> when given, is replaced by the remote's, which must hash to what the remote says and to
    /// <paramref name="expectedSha256"/> (else <see cref="InvalidDataException"/>, nothing replaced). False when neither has it.
    /// </summary>
    public async Task<bool> FetchAsync(string relativePath, string? expectedSha256, CancellationToken ct = default)
    {
        var target = Resolve(relativePath);
        if (File.Exists(target) && (string.IsNullOrEmpty(expectedSha256) || Remote is null
            || string.Equals(await Sha256Async(target, ct), expectedSha256, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }
        if (Remote is not { } remote)
        {
            return false;
        }
        return await WithTempBesideAsync(target, async temp =>
        {
            RemoteArtifact? stat = null;
            var sha = await WriteFileAsync(temp, async (file, token) => stat = await remote.DownloadAsync(relativePath, file, token), ct);
            if (stat is null)
            {
                return false;
            }
            if (!string.Equals(sha, stat.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"Artifact '{relativePath}' from {remote.Description} arrived torn: sha256 {sha}, the remote holds {stat.Sha256}.");
            }
            if (!string.IsNullOrEmpty(expectedSha256) && !string.Equals(sha, expectedSha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"Artifact '{relativePath}' is corrupted: {remote.Description} holds sha256 {sha}, expected {expectedSha256}.");
            }
            File.Move(temp, target, overwrite: true);
            return true;
        });
    }

    /// <summary>
    /// Runs <paramref name="use"/> with a fresh temporary path beside <paramref name="target"/>, deleted afterwards unless moved.
    /// When nothing ends up at <paramref name="target"/> (a refused or failed write, a fetch of what the remote lacks), the
    /// directories created for it are removed again while empty: a refused upload must leave no trace in the store.
    /// </summary>
    private static async Task<T> WithTempBesideAsync<T>(string target, Func<string, Task<T>> use)
    {
        var directory = Path.GetDirectoryName(target)!;
        var created = MissingDirectories(directory);
        Directory.CreateDirectory(directory);
        var temp = $"{target}.{Guid.NewGuid():N}.tmp";
        var stored = false;
        try
        {
            var result = await use(temp);
            stored = File.Exists(target);
            return result;
        }
        finally
        {
            File.Delete(temp);
            if (!stored)
            {
                RemoveWhileEmpty(created);
            }
        }
    }

    /// <summary>The directories <see cref="Directory.CreateDirectory(string)"/> would create for <paramref name="directory"/>, deepest first.</summary>
    private static List<string> MissingDirectories(string directory)
    {
        var missing = new List<string>();
        for (var current = directory; current is not null && !Directory.Exists(current); current = Path.GetDirectoryName(current))
        {
            missing.Add(current);
        }
        return missing;
    }

    /// <summary>
    /// Deletes <paramref name="directories"/> (deepest first) until one is not empty: another writer's file in one of them keeps
    /// it and every directory above it.
    /// </summary>
    private static void RemoveWhileEmpty(List<string> directories)
    {
        foreach (var directory in directories)
        {
            try
            {
                Directory.Delete(directory, recursive: false);
            }
            catch (IOException)
            {
                return; // not empty (or already gone with a concurrent writer's cleanup): what is above stays too
            }
        }
    }

    /// <summary>
    /// Bytes of the files under <paramref name="relativeDirectory"/> (the whole store when null), 0 when it does not exist. Symbolic
    /// links are not followed or counted: what they point to is not the store's. Files being written (temporary ones) count, so a
    /// quota judged from this is conservative while uploads are in flight.
    /// </summary>
    public long BytesUnder(string? relativeDirectory)
    {
        var full = relativeDirectory is null ? Root : Resolve(relativeDirectory);
        var directory = new DirectoryInfo(full);
        if (!directory.Exists || directory.LinkTarget is not null)
        {
            return 0;
        }
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        long total = 0;
        foreach (var file in directory.EnumerateFiles("*", options))
        {
            try
            {
                total += file.Length;
            }
            catch (FileNotFoundException)
            {
                // a temporary file renamed or deleted while counting: its bytes are counted where it went, or are gone
            }
        }
        return total;
    }

    /// <summary>Creates <paramref name="path"/>, lets <paramref name="write"/> fill it, flushes, and returns its sha256.</summary>
    private static async Task<string> WriteFileAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken ct)
    {
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
        {
            await write(file, ct);
            await file.FlushAsync(ct);
        }
        return await Sha256Async(path, ct);
    }

    /// <summary>
    /// Sends the artifact at <paramref name="relativePath"/> to the remote, so replicas that do not share this folder can read it;
    /// a no-op without a remote or when the remote already holds the same bytes. <see cref="ArtifactConflictException"/> when it
    /// holds different ones.
    /// </summary>
    public async Task PublishAsync(string relativePath, CancellationToken ct = default)
    {
        if (Remote is null)
        {
            return;
        }
        var source = Resolve(relativePath);
        var held = await Remote.StatAsync(relativePath, ct);
        if (held is not null && !File.Exists(source))
        {
            return; // fetched from the remote (a manifest read before its files): nothing here to publish
        }
        var sha = await Sha256Async(source, ct);
        if (held is not null)
        {
            if (!string.Equals(held.Sha256, sha, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArtifactConflictException(relativePath, held.Sha256, sha);
            }
            return;
        }
        await using var file = File.OpenRead(source);
        await Remote.UploadAsync(relativePath, file, sha, file.Length, ct);
    }

    /// <summary>
    /// Opens an artifact for reading after checking that its content still has the expected sha256 (with a remote, a missing or
    /// different local copy is fetched first).
    /// </summary>
    public async Task<Stream> OpenVerifiedAsync(string relativePath, string expectedSha256, CancellationToken ct = default)
    {
        if (Remote is not null)
        {
            await FetchAsync(relativePath, expectedSha256, ct);
        }
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
