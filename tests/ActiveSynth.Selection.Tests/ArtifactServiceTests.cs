using Google.Rpc;
using Grpc.Net.Client;
using System.Security.Cryptography;
using System.Text;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Hosting.Artifacts;
using ActiveSynth.Selection.Tests.Support;
using Google.Protobuf;
using Grpc.Core;

namespace ActiveSynth.Selection.Tests;

/// <summary>
/// The deployment's artifact service (Selection's Artifacts API) over a real socket, used the way a replica with its own
/// artifact root uses it: an <see cref="ArtifactStore"/> with a <see cref="GrpcArtifactRemote"/> publishes what it writes and
/// fetches what it lacks; every transfer is checked by sha256, and artifacts are immutable.
/// </summary>
public sealed class ArtifactServiceTests(SelectionApiFixture api) : IClassFixture<SelectionApiFixture>, IDisposable
{
    private readonly string _replicaA = Directory.CreateTempSubdirectory("replica-a-").FullName;
    private readonly string _replicaB = Directory.CreateTempSubdirectory("replica-b-").FullName;

    private ArtifactStore Replica(string root) => new(root, Remote(api.Address));

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Bigger than one chunk, so the transfer is several messages.</summary>
    private static GrpcArtifactRemote Remote(Uri address) => new(new ActiveSynth.Contracts.V1.Artifacts.ArtifactsClient(GrpcChannel.ForAddress(address)), address);

    private static byte[] Payload(int seed) => [.. Enumerable.Range(0, (GrpcArtifactRemote.ChunkSize * 2) + 123).Select(i => (byte)((i * 31) + seed))];

    [Fact]
    public async Task What_one_replica_publishes_reaches_the_deployment_and_another_replica_byte_for_byte()
    {
        var path = $"runs/{Guid.NewGuid():N}/checkpoints/r1/model.safetensors";
        var bytes = Payload(1);
        var a = Replica(_replicaA);
        var sha = await a.WriteAsync(path, (s, ct) => s.WriteAsync(bytes, ct).AsTask());

        await a.PublishAsync(path);
        await a.PublishAsync(path); // again: a no-op, not a conflict

        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(api.ArtifactsRoot, path)));
        var stat = await api.Artifacts.StatAsync(new ArtifactPath { Path = path });
        Assert.True(stat.Exists);
        Assert.Equal(sha, stat.Sha256);
        Assert.Equal(bytes.Length, stat.SizeBytes);

        var b = Replica(_replicaB);
        Assert.False(File.Exists(Path.Combine(_replicaB, path)));
        await using (var read = await b.OpenVerifiedAsync(path, sha))
        {
            using var copy = new MemoryStream();
            await read.CopyToAsync(copy);
            Assert.Equal(bytes, copy.ToArray());
        }
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(_replicaB, path)));
    }

    [Fact]
    public async Task A_fetch_of_what_the_deployment_holds_replaces_a_corrupted_local_copy_and_a_missing_artifact_is_reported_missing()
    {
        var path = $"runs/{Guid.NewGuid():N}/datasets/round-1.jsonl";
        var bytes = Encoding.UTF8.GetBytes("{\"id\":\"s1\"}\n");
        await new ArtifactStore(api.ArtifactsRoot).WriteAsync(path, (s, ct) => s.WriteAsync(bytes, ct).AsTask());
        var local = Path.Combine(_replicaA, path);
        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        await File.WriteAllTextAsync(local, "torn");

        var a = Replica(_replicaA);
        Assert.True(await a.FetchAsync(path, Sha(bytes)));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(local));

        Assert.False(await a.FetchAsync($"runs/{Guid.NewGuid():N}/nothing.jsonl", null));
        var missing = await Assert.ThrowsAsync<FileNotFoundException>(() => a.OpenVerifiedAsync("runs/none/x.jsonl", Sha(bytes)));
        Assert.Contains("runs/none/x.jsonl", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fetch_that_is_not_the_expected_artifact_fails_naming_both_hashes_and_replaces_nothing()
    {
        var path = $"runs/{Guid.NewGuid():N}/test-set.jsonl";
        var bytes = Encoding.UTF8.GetBytes("held\n");
        await new ArtifactStore(api.ArtifactsRoot).WriteAsync(path, (s, ct) => s.WriteAsync(bytes, ct).AsTask());
        var expected = Sha(Encoding.UTF8.GetBytes("other\n"));

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => Replica(_replicaA).OpenVerifiedAsync(path, expected));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains(Sha(bytes), ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_replicaA, path)));
    }

    [Fact]
    public async Task Publishing_other_bytes_to_a_held_path_is_refused_and_the_held_artifact_is_kept()
    {
        var path = $"runs/{Guid.NewGuid():N}/checkpoints/r1/checkpoint.json";
        var first = Encoding.UTF8.GetBytes("{\"id\":\"a\"}");
        var a = Replica(_replicaA);
        await a.WriteAsync(path, (s, ct) => s.WriteAsync(first, ct).AsTask());
        await a.PublishAsync(path);
        var b = Replica(_replicaB);
        await b.WriteAsync(path, (s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes("{\"id\":\"b\"}"), ct).AsTask());

        var conflict = await Assert.ThrowsAsync<ArtifactConflictException>(() => b.PublishAsync(path));
        Assert.Equal(Sha(first), conflict.HeldSha256);

        // The same refusal from the service itself, when the stat said nothing yet (two replicas racing).
        var raced = await Assert.ThrowsAsync<ArtifactConflictException>(() =>
            Remote(api.Address).UploadAsync(path, new MemoryStream(Encoding.UTF8.GetBytes("{\"id\":\"c\"}")),
                Sha(Encoding.UTF8.GetBytes("{\"id\":\"c\"}")), 10, CancellationToken.None));
        Assert.Equal(Sha(first), raced.HeldSha256);
        Assert.Equal(first, await File.ReadAllBytesAsync(Path.Combine(api.ArtifactsRoot, path)));
    }

    [Fact]
    public async Task An_upload_whose_bytes_do_not_hash_to_its_header_is_data_loss_and_stores_nothing()
    {
        var path = $"runs/{Guid.NewGuid():N}/checkpoints/r1/torn.bin";
        using var call = api.Artifacts.Upload();
        await call.RequestStream.WriteAsync(new ArtifactUpload { Header = new ArtifactStat { Path = path, Sha256 = Sha([1, 2, 3]), SizeBytes = 3 } });
        await call.RequestStream.WriteAsync(new ArtifactUpload { Data = ByteString.CopyFrom(1, 2, 4) });
        await call.RequestStream.CompleteAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.DataLoss, ex.StatusCode);
        Assert.StartsWith("header.sha256:", ex.Status.Detail, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(api.ArtifactsRoot, path)));
        // Not even the run folder it created for the temporary file.
        Assert.False(Directory.Exists(Path.Combine(api.ArtifactsRoot, Path.GetDirectoryName(path)!)));
    }

    [Theory]
    [InlineData("../outside.bin", "header.path")]
    [InlineData("/etc/passwd", "header.path")]
    [InlineData("ok.bin", "header.sha256")]
    public async Task A_bad_upload_header_is_invalid_argument_naming_the_field(string path, string field)
    {
        using var call = api.Artifacts.Upload();
        await call.RequestStream.WriteAsync(new ArtifactUpload { Header = new ArtifactStat { Path = path, Sha256 = field == "header.sha256" ? "xyz" : Sha([1]), SizeBytes = 1 } });
        await call.RequestStream.CompleteAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith($"{field}:", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(field, Assert.Single(ex.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations).Field);
    }

    [Fact]
    public async Task Reading_through_a_path_out_of_the_root_is_invalid_argument()
    {
        var stat = await Assert.ThrowsAsync<RpcException>(async () => await api.Artifacts.StatAsync(new ArtifactPath { Path = "runs/../../x" }));
        Assert.Equal(StatusCode.InvalidArgument, stat.StatusCode);
        Assert.StartsWith("path:", stat.Status.Detail, StringComparison.Ordinal);

        var link = $"link-{Guid.NewGuid():N}";
        File.CreateSymbolicLink(Path.Combine(api.ArtifactsRoot, link), api.Outside);
        await File.WriteAllTextAsync(Path.Combine(api.Outside, "secret.txt"), "secret");
        using var download = api.Artifacts.Download(new ArtifactPath { Path = $"{link}/secret.txt" });
        var ex = await Assert.ThrowsAsync<RpcException>(() => download.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("symbolic link", ex.Status.Detail, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Directory.Delete(_replicaA, recursive: true);
        Directory.Delete(_replicaB, recursive: true);
    }
}
