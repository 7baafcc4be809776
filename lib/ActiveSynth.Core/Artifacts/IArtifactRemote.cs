namespace ActiveSynth.Core.Artifacts;

/// <summary>What a remote store holds at a path: its sha256 (lowercase hex) and size.</summary>
public sealed record RemoteArtifact(string Path, string Sha256, long SizeBytes);

/// <summary>
/// Where replicas that do not share the artifact folder exchange artifacts: the deployment's artifact service (gRPC, the
/// Selection service), or an object store (S3-compatible, Azure Blob) behind the same four calls. An <see cref="ArtifactStore"/>
/// with a remote keeps its folder as the working copy: it publishes what it writes for others and fetches what it lacks,
/// checking sha256 both ways. Artifacts are immutable: publishing different bytes to a path already held fails with
/// <see cref="ArtifactConflictException"/>.
/// </summary>
public interface IArtifactRemote
{
    /// <summary>Where it is, for messages (e.g. "the artifact service at http://host:port").</summary>
    string Description { get; }

    /// <summary>What the remote holds at <paramref name="path"/>, or null when nothing.</summary>
    Task<RemoteArtifact?> StatAsync(string path, CancellationToken ct);

    /// <summary>Copies the artifact into <paramref name="destination"/>; returns its stat (null when there is none). The caller checks the sha256.</summary>
    Task<RemoteArtifact?> DownloadAsync(string path, Stream destination, CancellationToken ct);

    /// <summary>Stores <paramref name="content"/> at <paramref name="path"/>; the remote refuses bytes that do not hash to <paramref name="sha256"/>.</summary>
    Task UploadAsync(string path, Stream content, string sha256, long sizeBytes, CancellationToken ct);
}

/// <summary>A path already holds an artifact with other bytes: artifacts are immutable, so the second writer's copy is refused.</summary>
public sealed class ArtifactConflictException(string path, string heldSha256, string offeredSha256)
    : IOException($"Artifact '{path}' already holds different bytes (sha256 {heldSha256}); the copy offered (sha256 {offeredSha256}) was refused: artifacts are immutable.")
{
    public string Path { get; } = path;

    public string HeldSha256 { get; } = heldSha256;

    public string OfferedSha256 { get; } = offeredSha256;
}
