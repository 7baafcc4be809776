using System.Security.Cryptography;
using ActiveSynth.Core.Artifacts;

namespace ActiveSynth.Core.Tests;

/// <summary>A write that stores nothing leaves nothing: no temporary file, and none of the folders it created for it.</summary>
public sealed class ArtifactWriteCleanupTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("artifact-cleanup-").FullName;

    [Fact]
    public async Task A_refused_write_removes_the_folders_it_created_and_keeps_those_that_were_there()
    {
        Directory.CreateDirectory(Path.Combine(_root, "runs"));
        var store = new ArtifactStore(_root);

        await Assert.ThrowsAsync<InvalidDataException>(() =>
            store.WriteNewAsync("runs/r1/checkpoints/r2/model.bin", (s, ct) => s.WriteAsync(new byte[] { 1, 2 }, ct).AsTask(), new string('0', 64)));

        Assert.Equal(["runs"], Directory.EnumerateFileSystemEntries(_root, "*", SearchOption.AllDirectories).Select(e => Path.GetRelativePath(_root, e)));
    }

    [Fact]
    public async Task A_write_that_throws_midway_removes_its_folders_but_not_one_another_writer_filled()
    {
        var store = new ArtifactStore(_root);
        await store.WriteAsync("runs/r1/other.txt", (s, ct) => s.WriteAsync(new byte[] { 7 }, ct).AsTask());

        await Assert.ThrowsAsync<IOException>(() => store.WriteAsync("runs/r1/deep/er/x.bin", (_, _) => throw new IOException("connection lost")));

        Assert.Equal(["runs", "runs/r1", "runs/r1/other.txt"],
            Directory.EnumerateFileSystemEntries(_root, "*", SearchOption.AllDirectories).Select(e => Path.GetRelativePath(_root, e)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Bytes_under_a_folder_count_its_files_and_not_what_a_link_points_to()
    {
        var store = new ArtifactStore(_root);
        var bytes = new byte[1000];
        await store.WriteNewAsync("runs/r1/a.bin", (s, ct) => s.WriteAsync(bytes, ct).AsTask(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
        await store.WriteAsync("runs/r1/sub/b.bin", (s, ct) => s.WriteAsync(new byte[24], ct).AsTask());
        var outside = Directory.CreateTempSubdirectory("artifact-cleanup-outside-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(outside, "big.bin"), new byte[5000]);
            Directory.CreateSymbolicLink(Path.Combine(_root, "runs", "r1", "link"), outside);

            Assert.Equal(1024, store.BytesUnder("runs/r1"));
            Assert.Equal(1024, store.BytesUnder(null));
            Assert.Equal(0, store.BytesUnder("runs/none"));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
