using ActiveSynth.Core.Artifacts;

namespace ActiveSynth.Core.Tests;

/// <summary>Nothing addressed through the artifact store may reach outside its root: '..', absolute paths, symbolic links.</summary>
public sealed class ArtifactPathContainmentTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("activesynth-artifact-paths-").FullName;
    private readonly string _outside;
    private readonly ArtifactStore _store;

    public ArtifactPathContainmentTests()
    {
        _store = new ArtifactStore(Path.Combine(_dir, "root"));
        _outside = Directory.CreateDirectory(Path.Combine(_dir, "outside")).FullName;
        File.WriteAllText(Path.Combine(_outside, "secret.txt"), "not an artifact");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("../../etc/passwd", "leaves the artifact root")]
    [InlineData("runs/../../outside/secret.txt", "leaves the artifact root")]
    [InlineData("/etc/passwd", "must be relative")]
    [InlineData("runs\\..\\..\\x", "backslash")]
    [InlineData("seeds/a\0b", "NUL")]
    public void A_path_escaping_by_its_text_is_rejected_saying_why(string path, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => _store.Resolve(path));

        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ArtifactStore.ProblemWith(path), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("seeds/gsm8k.jsonl")]
    [InlineData("runs/r1/checkpoints/r2")]
    [InlineData("a..b/c")]
    public void An_ordinary_relative_path_resolves_inside_the_root(string path)
    {
        Assert.Null(ArtifactStore.ProblemWith(path));
        Assert.StartsWith(_store.Root + Path.DirectorySeparatorChar, _store.Resolve(path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_symlinked_file_pointing_outside_the_root_cannot_be_read()
    {
        Directory.CreateDirectory(Path.Combine(_store.Root, "seeds"));
        File.CreateSymbolicLink(Path.Combine(_store.Root, "seeds", "leak.jsonl"), Path.Combine(_outside, "secret.txt"));

        var e = Assert.Throws<ArgumentException>(() => _store.Resolve("seeds/leak.jsonl"));
        Assert.Contains("symbolic link 'seeds/leak.jsonl'", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => _store.OpenVerifiedAsync("seeds/leak.jsonl", new string('0', 64)));
    }

    [Fact]
    public async Task A_symlinked_directory_pointing_outside_the_root_cannot_be_written_through()
    {
        Directory.CreateSymbolicLink(Path.Combine(_store.Root, "runs"), _outside);

        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            _store.WriteAsync("runs/r1/test.jsonl", (s, ct) => s.WriteAsync(new byte[] { 1 }, ct).AsTask()));

        Assert.Contains("symbolic link 'runs'", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_outside, "r1")));
    }

    [Fact]
    public async Task A_symlink_that_stays_inside_the_root_is_followed()
    {
        var sha = await _store.WriteAsync("data/real.jsonl", (s, ct) => s.WriteAsync(new byte[] { 42 }, ct).AsTask());
        File.CreateSymbolicLink(Path.Combine(_store.Root, "alias.jsonl"), Path.Combine(_store.Root, "data", "real.jsonl"));

        await using var stream = await _store.OpenVerifiedAsync("alias.jsonl", sha);

        Assert.Equal(42, stream.ReadByte());
    }

    [Fact]
    public void A_symlink_loop_is_rejected_not_followed_forever()
    {
        File.CreateSymbolicLink(Path.Combine(_store.Root, "a"), Path.Combine(_store.Root, "b"));
        File.CreateSymbolicLink(Path.Combine(_store.Root, "b"), Path.Combine(_store.Root, "a"));

        Assert.Throws<ArgumentException>(() => _store.Resolve("a"));
    }
}
