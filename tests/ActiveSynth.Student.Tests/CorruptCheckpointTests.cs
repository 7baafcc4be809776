using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Student.Checkpoints;
using TorchSharp;

namespace ActiveSynth.Student.Tests;

/// <summary>
/// Corrupted or hostile checkpoints: truncated weights, flipped bytes, headers claiming huge or negative sizes, paths
/// leaving the artifact root. Loading fails with a <see cref="CheckpointException"/> naming the checkpoint and the file.
/// "Re-signed" cases also rewrite the manifest's sha256, so the bad bytes reach the safetensors parser itself.
/// </summary>
public sealed class CorruptCheckpointTests : IDisposable
{
    private readonly string _root = Tiny.TempDir();
    private readonly string _outside = Tiny.TempDir();
    private readonly CheckpointStore _store;

    public CorruptCheckpointTests()
    {
        _store = new CheckpointStore(new ArtifactStore(_root));
        Directory.CreateDirectory(_outside);
    }

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_outside, recursive: true);
    }

    private async Task<CheckpointInfo> SaveAsync(string path)
    {
        using var model = Tiny.Model(seed: 3);
        return await _store.SaveAsync(path, model, null, new CheckpointMetadata { Id = path.Replace('/', '-') });
    }

    private string WeightsPath(string checkpoint) => Path.Combine(_root, checkpoint, CheckpointStore.WeightsFile);

    /// <summary>Replaces the weights and records their sha256 in the manifest, as a careless or hostile writer would.</summary>
    private async Task ReplaceWeightsResignedAsync(string checkpoint, byte[] weights)
    {
        await File.WriteAllBytesAsync(WeightsPath(checkpoint), weights);
        var sha = Convert.ToHexStringLower(SHA256.HashData(weights));
        var manifestPath = Path.Combine(_root, checkpoint, CheckpointStore.ManifestFile);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(manifestPath))!.AsObject();
        manifest["weights_sha256"] = sha;
        manifest["files"]![CheckpointStore.WeightsFile] = sha;
        await File.WriteAllTextAsync(manifestPath, manifest.ToJsonString());
    }

    [Fact]
    public async Task Truncated_weights_fail_the_sha256_check_naming_checkpoint_and_file()
    {
        var info = await SaveAsync("c/truncated");
        var bytes = await File.ReadAllBytesAsync(WeightsPath("c/truncated"));
        await File.WriteAllBytesAsync(WeightsPath("c/truncated"), bytes[..(bytes.Length / 2)]);

        var e = await Assert.ThrowsAsync<CheckpointException>(() => _store.LoadAsync(info.Path, info.Sha256, torch.CPU));

        Assert.False(e.IsMissing);
        Assert.Equal(CheckpointStore.WeightsFile, e.FileName);
        Assert.Equal("checkpoint 'c/truncated': model.safetensors does not match the sha256 its manifest records (corrupted)", e.Summary);
    }

    [Fact]
    public async Task A_single_flipped_byte_in_the_header_fails_the_sha256_check()
    {
        var info = await SaveAsync("c/flipped");
        var bytes = await File.ReadAllBytesAsync(WeightsPath("c/flipped"));
        bytes[20] ^= 0x01;
        await File.WriteAllBytesAsync(WeightsPath("c/flipped"), bytes);

        var e = await Assert.ThrowsAsync<CheckpointException>(() => _store.LoadAsync(info.Path, null, torch.CPU));

        Assert.Equal(CheckpointStore.WeightsFile, e.FileName);
        Assert.Contains("c/flipped", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncated_weights_with_a_matching_manifest_are_refused_by_the_parser()
    {
        var info = await SaveAsync("c/short");
        var bytes = await File.ReadAllBytesAsync(WeightsPath("c/short"));
        await ReplaceWeightsResignedAsync("c/short", bytes[..(bytes.Length - 100)]);

        var e = await Assert.ThrowsAsync<CheckpointException>(() => _store.LoadAsync(info.Path, null, torch.CPU));

        Assert.Equal("checkpoint 'c/short': model.safetensors is not a valid safetensors file", e.Summary);
        Assert.IsType<InvalidDataException>(e.InnerException);
    }

    [Theory]
    [InlineData(1L << 62)]
    [InlineData(-8L)]
    [InlineData(0L)]
    public async Task A_header_length_claiming_an_impossible_size_is_refused_without_allocating_it(long claimed)
    {
        var info = await SaveAsync("c/huge-header");
        var bytes = await File.ReadAllBytesAsync(WeightsPath("c/huge-header"));
        BinaryPrimitives.WriteInt64LittleEndian(bytes, claimed);
        await ReplaceWeightsResignedAsync("c/huge-header", bytes);

        var e = await Assert.ThrowsAsync<CheckpointException>(() => _store.LoadAsync(info.Path, null, torch.CPU));

        Assert.Equal(CheckpointStore.WeightsFile, e.FileName);
        Assert.Contains("does not fit the file", e.InnerException!.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> HostileEntries => new()
    {
        // shape and offsets of one tensor entry, as JSON
        { "[4611686018427387904, 4611686018427387904]", "[0, 16]" }, // element count overflows a long
        { "[-4, -1]", "[0, 16]" },                                 // negative dimensions whose product looks right
        { "[4]", "[-64, -48]" },                                   // offsets pointing into the header
        { "[4]", "[16, 0]" },                                      // end before begin
        { "[1099511627776]", "[0, 4398046511104]" },               // a terabyte tensor in a small file
    };

    [Theory]
    [MemberData(nameof(HostileEntries))]
    public void A_hostile_tensor_entry_is_invalid_data_not_a_crash_or_a_huge_allocation(string shape, string offsets)
    {
        var header = Encoding.UTF8.GetBytes($"{{\"w\":{{\"dtype\":\"F32\",\"shape\":{shape},\"data_offsets\":{offsets}}}}}");
        var padded = (header.Length + 7) / 8 * 8;
        var file = new byte[8 + padded + 16];
        BinaryPrimitives.WriteInt64LittleEndian(file, padded);
        header.CopyTo(file, 8);
        file.AsSpan(8 + header.Length, padded - header.Length).Fill((byte)' ');

        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(file));

        Assert.Contains("'w'", e.Message, StringComparison.Ordinal);

        // The reader of large and sharded (Hugging Face) checkpoints checks the same, naming the file.
        var onDisk = Path.Combine(_root, "hostile.safetensors");
        File.WriteAllBytes(onDisk, file);
        var fromDisk = Assert.Throws<InvalidDataException>(() => SafeTensors.ReadHeader(onDisk));
        Assert.Contains("'w'", fromDisk.Message, StringComparison.Ordinal);
        Assert.Contains(onDisk, fromDisk.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hostile_entry_inside_a_resigned_checkpoint_names_the_weights_file()
    {
        var info = await SaveAsync("c/hostile");
        var header = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[-4,-1],\"data_offsets\":[0,16]}}");
        var padded = (header.Length + 7) / 8 * 8;
        var file = new byte[8 + padded + 16];
        BinaryPrimitives.WriteInt64LittleEndian(file, padded);
        header.CopyTo(file, 8);
        file.AsSpan(8 + header.Length, padded - header.Length).Fill((byte)' ');
        await ReplaceWeightsResignedAsync("c/hostile", file);

        var e = await Assert.ThrowsAsync<CheckpointException>(() => _store.LoadAsync(info.Path, null, torch.CPU));

        Assert.Equal("checkpoint 'c/hostile': model.safetensors is not a valid safetensors file", e.Summary);
    }

    [Theory]
    [InlineData("../../etc", "leaves the artifact root")]
    [InlineData("/etc", "must be relative to the artifact root")]
    public async Task A_checkpoint_path_leaving_the_root_is_an_invalid_path_not_a_missing_checkpoint(string path, string problem)
    {
        var e = await Assert.ThrowsAsync<CheckpointException>(() => _store.LoadAsync(path, null, torch.CPU));

        Assert.True(e.IsInvalidPath);
        Assert.False(e.IsMissing);
        Assert.Contains(problem, e.Summary, StringComparison.Ordinal);
        Assert.StartsWith($"checkpoint '{path}' ", e.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_checkpoint_directory_linked_out_of_the_root_is_an_invalid_path()
    {
        var real = await SaveAsync("c/real");
        Directory.Move(Path.Combine(_root, "c", "real"), Path.Combine(_outside, "real"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "c", "real"), Path.Combine(_outside, "real"));

        var e = await Assert.ThrowsAsync<CheckpointException>(() => _store.LoadAsync(real.Path, real.Sha256, torch.CPU));

        Assert.True(e.IsInvalidPath);
        Assert.Equal("checkpoint 'c/real' goes through a symbolic link out of the artifact root", e.Summary);
    }

    [Fact]
    public async Task A_weights_file_linked_out_of_the_root_is_not_read()
    {
        var info = await SaveAsync("c/linked-weights");
        var outsideWeights = Path.Combine(_outside, "model.safetensors");
        File.Move(WeightsPath("c/linked-weights"), outsideWeights);
        File.CreateSymbolicLink(WeightsPath("c/linked-weights"), outsideWeights);

        var e = await Assert.ThrowsAsync<CheckpointException>(() => _store.LoadAsync(info.Path, info.Sha256, torch.CPU));

        Assert.True(e.IsInvalidPath);
        Assert.Equal("checkpoint 'c/linked-weights': model.safetensors is a symbolic link out of the artifact root", e.Summary);
    }
}
