using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Diagnostics;
using Google.Protobuf;
using Grpc.Core;

namespace ActiveSynth.Hosting.Artifacts;

/// <summary>The deployment's artifact service (Artifacts in artifacts.proto, served by Selection) as an <see cref="IArtifactRemote"/>.</summary>
public sealed class GrpcArtifactRemote(ActiveSynth.Contracts.V1.Artifacts.ArtifactsClient client, Uri address) : IArtifactRemote
{
    /// <summary>Bytes per upload message: well under gRPC's 4 MB default message limit.</summary>
    public const int ChunkSize = 64 * 1024;

    public string Description { get; } = $"the artifact service at {SafeUrl.Redact(address)}"; // in errors and logs: no user:password

    public async Task<RemoteArtifact?> StatAsync(string path, CancellationToken ct)
    {
        var stat = await client.StatAsync(new ArtifactPath { Path = path }, cancellationToken: ct).ConfigureAwait(false);
        return stat.Exists ? new RemoteArtifact(stat.Path, stat.Sha256, stat.SizeBytes) : null;
    }

    public async Task<RemoteArtifact?> DownloadAsync(string path, Stream destination, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var call = client.Download(new ArtifactPath { Path = path }, cancellationToken: ct);
        RemoteArtifact? stat = null;
        try
        {
            await foreach (var chunk in call.ResponseStream.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (chunk.Stat is { } header)
                {
                    stat = new RemoteArtifact(header.Path, header.Sha256, header.SizeBytes);
                }
                await destination.WriteAsync(chunk.Data.Memory, ct).ConfigureAwait(false);
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
        return stat ?? throw new InvalidDataException($"Artifact '{path}' from {Description}: the reply had no stat.");
    }

    public async Task UploadAsync(string path, Stream content, string sha256, long sizeBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var call = client.Upload(cancellationToken: ct);
        try
        {
            try
            {
                await call.RequestStream.WriteAsync(new ArtifactUpload { Header = new ArtifactStat { Path = path, Sha256 = sha256, SizeBytes = sizeBytes } }, ct)
                    .ConfigureAwait(false);
                var buffer = new byte[ChunkSize];
                int read;
                while ((read = await content.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                {
                    await call.RequestStream.WriteAsync(new ArtifactUpload { Data = ByteString.CopyFrom(buffer, 0, read) }, ct).ConfigureAwait(false);
                }
                await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RpcException or InvalidOperationException && !ct.IsCancellationRequested)
            {
                // The server ended the call before reading everything (a refused header): its status below says why.
            }
            await call.ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
        {
            var held = await StatAsync(path, ct).ConfigureAwait(false);
            throw new ArtifactConflictException(path, held?.Sha256 ?? "unknown", sha256);
        }
    }
}
