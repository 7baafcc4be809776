using ActiveSynth.Engine.Work;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using System.Security.Cryptography;
using Google.Protobuf;
using ActiveSynth.Selection.Telemetry;
using Grpc.Core;
using ActiveSynth.Hosting.Security;

namespace ActiveSynth.Selection.Grpc;

/// <summary>
/// The deployment's artifact store over gRPC (artifacts.proto), for worker replicas that do not share its folder: they fetch
/// datasets, test sets and checkpoints from here and publish the checkpoints they write. Paths are confined to the root (the
/// store's checks: no absolute paths, no '..', no symbolic links out); artifacts are immutable. Uploads are admitted by their
/// announced size against <c>Artifacts:Uploads</c> (<see cref="ArtifactUploadQuota"/>) before any byte is written.
/// </summary>
[AllowRoles(DeploymentRoles.Worker, DeploymentRoles.Service)]
public sealed class ArtifactsApi(ArtifactStore artifacts, ArtifactUploadQuota quota, ILogger<ArtifactsApi> logger) : ActiveSynth.Contracts.V1.Artifacts.ArtifactsBase
{
    private const int ChunkSize = 64 * 1024;

    public override async Task<ArtifactStat> Stat(ArtifactPath request, ServerCallContext context)
    {
        var full = Resolve(request.Path, "path");
        return File.Exists(full)
            ? new ArtifactStat { Path = request.Path, Exists = true, Sha256 = await ArtifactStore.Sha256Async(full, context.CancellationToken), SizeBytes = new FileInfo(full).Length }
            : new ArtifactStat { Path = request.Path };
    }

    public override async Task Download(ArtifactPath request, IServerStreamWriter<ArtifactChunk> responseStream, ServerCallContext context)
    {
        var full = Resolve(request.Path, "path");
        if (!File.Exists(full))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"path: '{request.Path}' does not exist in the artifact store."));
        }
        var ct = context.CancellationToken;
        await using var file = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkSize, useAsync: true);
        var stat = new ArtifactStat { Path = request.Path, Exists = true, Sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct)), SizeBytes = file.Length };
        file.Position = 0;
        // Chunk by chunk from one open file: a replaced file (a rename over it) does not change what this handle reads, so the
        // bytes sent are the ones hashed; the replica checks them against the stat anyway.
        var buffer = new byte[ChunkSize];
        var sent = 0L;
        int read;
        var first = true;
        while ((read = await file.ReadAsync(buffer, ct)) > 0 || first)
        {
            await responseStream.WriteAsync(new ArtifactChunk { Stat = first ? stat : null, Data = ByteString.CopyFrom(buffer, 0, read) }, ct);
            sent += read;
            first = false;
        }
        logger.ArtifactServed(request.Path, sent);
    }

    /// <summary>Only workers upload, and only what workers write (<see cref="WorkerWritablePaths"/>): nobody else can plant a checkpoint.</summary>
    [AllowRoles(DeploymentRoles.Worker)]
    public override async Task<ArtifactStat> Upload(IAsyncStreamReader<ArtifactUpload> requestStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct) || requestStream.Current.PartCase != ArtifactUpload.PartOneofCase.Header)
        {
            throw new InvalidRequestException("header", "the first message must be the header (path, sha256, size_bytes).");
        }
        var header = requestStream.Current.Header;
        Resolve(header.Path, "header.path");
        if (header.Sha256.Length != 64 || !header.Sha256.All(char.IsAsciiHexDigit))
        {
            throw new InvalidRequestException("header.sha256", $"must be 64 hex digits, got '{header.Sha256}'.");
        }
        if (header.SizeBytes < 0)
        {
            throw new InvalidRequestException("header.size_bytes", $"must not be negative, got {header.SizeBytes}.");
        }
        if (WorkerWritablePaths.ProblemWith(header.Path) is { } notWritable)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"header.path: '{header.Path}' {notWritable}."));
        }
        using var reservation = quota.Admit(header.Path, header.SizeBytes);
        long received = 0;
        var sha = await artifacts.WriteNewAsync(header.Path, async (file, token) =>
        {
            while (await requestStream.MoveNext(token))
            {
                if (requestStream.Current.PartCase != ArtifactUpload.PartOneofCase.Data)
                {
                    throw new InvalidRequestException("header", "only the first message may be a header.");
                }
                received += requestStream.Current.Data.Length;
                if (received > header.SizeBytes)
                {
                    throw new InvalidRequestException("header.size_bytes", $"more than the {header.SizeBytes} bytes announced arrived.");
                }
                await file.WriteAsync(requestStream.Current.Data.Memory, token);
            }
        }, header.Sha256.ToLowerInvariant(), ct);
        logger.ArtifactStored(header.Path, received);
        return new ArtifactStat { Path = header.Path, Exists = true, Sha256 = sha, SizeBytes = received };
    }

    private string Resolve(string path, string field)
    {
        if (ArtifactStore.ProblemWith(path) is { } problem)
        {
            throw new InvalidRequestException(field, $"'{path}' {problem}.");
        }
        try
        {
            return artifacts.Resolve(path);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidRequestException(field, ex.Message);
        }
    }
}
