using System.Security.Cryptography;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Selection.Tests.Support;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;

namespace ActiveSynth.Selection.Tests;

/// <summary>
/// The upload limits of the artifact service (<c>Artifacts:Uploads</c>, small in <see cref="SelectionApiFixture"/>) over a real
/// socket: an upload past a limit is ResourceExhausted naming the setting, and the store's folder tree is what it was before.
/// </summary>
public sealed class ArtifactUploadLimitTests(SelectionApiFixture api) : IClassFixture<SelectionApiFixture>
{
    [Fact]
    public async Task An_upload_announcing_more_than_one_file_may_hold_is_refused_before_any_byte_is_written()
    {
        var before = await api.FootprintAsync();
        var path = $"runs/{Guid.NewGuid():N}/checkpoints/r1/model.safetensors";

        // The header alone is refused: the client never gets to send its bytes.
        var ex = await RefusedAsync(path, SelectionApiFixture.MaxUploadFileBytes + 1, data: null);

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.StartsWith("header.size_bytes:", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains($"Artifacts:Uploads:MaxFileBytes = {SelectionApiFixture.MaxUploadFileBytes}", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("header.size_bytes", Assert.Single(ex.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations).Field);
        Assert.Equal(before, await api.FootprintAsync());
    }

    [Fact]
    public async Task An_upload_that_would_pass_its_runs_limit_is_refused_and_the_run_folder_is_unchanged()
    {
        var run = $"runs/{Guid.NewGuid():N}";
        var held = await WriteDirectlyAsync($"{run}/datasets/round-1.jsonl", SelectionApiFixture.MaxUploadRunBytes - 1000);
        try
        {
            var before = await api.FootprintAsync();
            var bytes = new byte[2000];

            var ex = await RefusedAsync($"{run}/checkpoints/r1/model.safetensors", bytes.Length, bytes);

            Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
            Assert.Contains($"Artifacts:Uploads:MaxRunBytes = {SelectionApiFixture.MaxUploadRunBytes}", ex.Status.Detail, StringComparison.Ordinal);
            Assert.Contains($"{run}/ holds {SelectionApiFixture.MaxUploadRunBytes - 1000} bytes", ex.Status.Detail, StringComparison.Ordinal);
            Assert.Equal(before, await api.FootprintAsync());
            Assert.False(Directory.Exists(Path.Combine(api.ArtifactsRoot, run, "checkpoints")));

            // Another run's folder is not this run's quota: the same upload there is stored.
            var other = $"runs/{Guid.NewGuid():N}/checkpoints/r1/model.safetensors";
            var stat = await UploadAsync(other, bytes);
            Assert.Equal(bytes.Length, stat.SizeBytes);
            File.Delete(Path.Combine(api.ArtifactsRoot, other));
        }
        finally
        {
            Directory.Delete(Path.Combine(api.ArtifactsRoot, run), recursive: true);
        }
    }

    [Fact]
    public async Task An_upload_that_would_pass_the_stores_limit_is_refused_naming_the_setting()
    {
        var filler = $"filler-{Guid.NewGuid():N}.bin";
        var room = SelectionApiFixture.MaxUploadTotalBytes - BytesInStore();
        await WriteDirectlyAsync(filler, room - 100);
        try
        {
            var before = await api.FootprintAsync();
            var bytes = new byte[500];

            var ex = await RefusedAsync($"bases/{Guid.NewGuid():N}/x.bin", bytes.Length, bytes);

            Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
            Assert.Contains($"Artifacts:Uploads:MaxTotalBytes = {SelectionApiFixture.MaxUploadTotalBytes}", ex.Status.Detail, StringComparison.Ordinal);
            Assert.Equal(before, await api.FootprintAsync());
        }
        finally
        {
            File.Delete(Path.Combine(api.ArtifactsRoot, filler));
        }
    }

    [Fact]
    public async Task An_upload_sending_more_than_it_announced_is_refused_and_leaves_no_file_or_folder()
    {
        var before = await api.FootprintAsync();
        var path = $"runs/{Guid.NewGuid():N}/checkpoints/r2/model.safetensors";
        var bytes = new byte[100];

        var ex = await RefusedAsync(path, 10, bytes, sha: Convert.ToHexStringLower(SHA256.HashData(bytes)));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("header.size_bytes:", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, await api.FootprintAsync());
    }

    [Fact]
    public async Task The_bytes_of_a_refused_or_finished_upload_are_not_held_against_the_next_one()
    {
        var run = $"runs/{Guid.NewGuid():N}";
        var bytes = new byte[SelectionApiFixture.MaxUploadRunBytes / 2];
        Random.Shared.NextBytes(bytes);
        try
        {
            await RefusedAsync($"{run}/checkpoints/r1/a.bin", SelectionApiFixture.MaxUploadFileBytes + 1, data: null);
            await UploadAsync($"{run}/checkpoints/r1/a.bin", bytes);
            bytes[0] ^= 1;
            // Exactly the run's limit: the first file's bytes are on disk, no reservation of either upload is left over.
            await UploadAsync($"{run}/checkpoints/r1/b.bin", bytes);
            Assert.Equal(SelectionApiFixture.MaxUploadRunBytes,
                Directory.EnumerateFiles(Path.Combine(api.ArtifactsRoot, run), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length));
        }
        finally
        {
            Directory.Delete(Path.Combine(api.ArtifactsRoot, run), recursive: true);
        }
    }

    private long BytesInStore() =>
        Directory.EnumerateFiles(api.ArtifactsRoot, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    private async Task<string> WriteDirectlyAsync(string path, long size)
    {
        var full = Path.Combine(api.ArtifactsRoot, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await using var file = File.Create(full);
        file.SetLength(size);
        return full;
    }

    private async Task<ArtifactStat> UploadAsync(string path, byte[] bytes)
    {
        using var call = api.Artifacts.Upload();
        await call.RequestStream.WriteAsync(new ArtifactUpload
        {
            Header = new ArtifactStat { Path = path, Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)), SizeBytes = bytes.Length },
        });
        await call.RequestStream.WriteAsync(new ArtifactUpload { Data = ByteString.CopyFrom(bytes) });
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }

    /// <summary>An upload announcing <paramref name="sizeBytes"/>, then sending <paramref name="data"/> if any, that must be refused.</summary>
    private async Task<RpcException> RefusedAsync(string path, long sizeBytes, byte[]? data, string? sha = null)
    {
        using var call = api.Artifacts.Upload();
        await call.RequestStream.WriteAsync(new ArtifactUpload
        {
            Header = new ArtifactStat { Path = path, Sha256 = sha ?? new string('a', 64), SizeBytes = sizeBytes },
        });
        try
        {
            if (data is not null)
            {
                await call.RequestStream.WriteAsync(new ArtifactUpload { Data = ByteString.CopyFrom(data) });
            }
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // the service answered (and closed the call) before the client finished sending: the answer is below
        }
        return await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
    }
}
