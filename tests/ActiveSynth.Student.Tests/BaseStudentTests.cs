using ActiveSynth.Core.Artifacts;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.Training;
using TorchSharp;

namespace ActiveSynth.Student.Tests;

public sealed class BaseStudentTests : IDisposable
{
    private readonly string _root = Tiny.TempDir();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task The_base_is_pretrained_once_per_configuration_and_then_loaded_from_the_cache()
    {
        torch.set_num_threads(1);
        var cache = new BaseStudentCache(new CheckpointStore(new ArtifactStore(_root)));
        var spec = new BaseStudentSpec { Model = Tiny.Config, Families = ["copy", "rev"], Steps = 20, BatchSize = 8, ReplayPoolSize = 50, Seed = 3 };
        ActiveSynth.Core.Tasks.ITaskFamily[] families = [StringFamily.Copy, StringFamily.Rev];

        var first = await cache.GetOrCreateAsync(spec, families, torch.CPU);
        var second = await cache.GetOrCreateAsync(spec, families, torch.CPU);
        var other = await cache.GetOrCreateAsync(spec with { Seed = 4 }, families, torch.CPU);

        Assert.True(first.Pretrained);
        Assert.Equal(20, first.Pretraining!.Steps);
        Assert.False(second.Pretrained);
        Assert.Equal(first.Checkpoint.Sha256, second.Checkpoint.Sha256);
        Assert.True(first.Checkpoint.IsBase && first.Checkpoint.HasOptimizerState && first.Checkpoint.HasReplay);
        Assert.NotEqual(first.Checkpoint.Path, other.Checkpoint.Path);
        var replay = await cache.Checkpoints.LoadReplayAsync(first.Checkpoint.Path);
        Assert.Equal(50, replay.Count);
        Assert.All(replay, i => Assert.Equal(1, i.Difficulty));
        Assert.Equal(["copy", "rev"], replay.Select(i => i.Family).Distinct().Order());
    }

    [Fact]
    public async Task Pretraining_without_the_families_fails_naming_them()
    {
        var cache = new BaseStudentCache(new CheckpointStore(new ArtifactStore(_root)));
        var spec = new BaseStudentSpec { Model = Tiny.Config, Families = ["copy", "shift"], Steps = 1 };
        var error = await Assert.ThrowsAsync<BaseUnavailableException>(() => cache.GetOrCreateAsync(spec, [StringFamily.Copy], torch.CPU));
        Assert.Contains("shift", error.Message);
    }
}
