using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Engine.Runs;

namespace ActiveSynth.Cli.Tests;

/// <summary>
/// The file run store of <c>run --local</c>: a run's state, metadata and spec under <c>runs/&lt;id&gt;/</c> (state.json where
/// compare and export read it), read back as written; a run.json of the earlier local runs (fewer fields) still loads.
/// </summary>
public sealed class FileRunStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("activesynth-file-store-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_created_run_reads_back_as_written_and_its_id_is_then_taken()
    {
        var store = new FileRunStore(new ArtifactStore(_dir));
        var run = Run("r1");

        Assert.True(await store.CreateAsync(run));
        Assert.False(await store.CreateAsync(Run("r1")));

        Assert.True(File.Exists(Path.Combine(_dir, "runs", "r1", "state.json")));
        Assert.True(File.Exists(Path.Combine(_dir, "runs", "r1", "run.json")));
        Assert.True(File.Exists(Path.Combine(_dir, "runs", "r1", "spec.json")));
        var read = await store.GetAsync("r1") ?? throw new InvalidOperationException("r1 is not stored");
        Assert.Equal(run.Spec, read.Spec);
        Assert.Equal(LoopStateJson.Serialize(run.State), LoopStateJson.Serialize(read.State));
        Assert.Equal(run.Meta.TestSet, read.Meta.TestSet);
        Assert.Equal(run.Meta.Checkpoints, read.Meta.Checkpoints);
        Assert.Equal(run.Meta.StageTimes, read.Meta.StageTimes);
        Assert.Equal(run.Meta.CreatedAt, read.Meta.CreatedAt);
        Assert.Null(await store.GetAsync("r2"));
    }

    [Fact]
    public async Task A_save_writes_state_and_metadata_stamped_and_a_spec_is_replaced_on_its_own()
    {
        var store = new FileRunStore(new ArtifactStore(_dir));
        var run = Run("r1");
        await store.CreateAsync(run);
        var before = run.Meta.UpdatedAt;
        run.State.Status = RunStatus.Completed;
        run.Meta.FinishedAt = DateTimeOffset.UtcNow;
        var spec = run.Spec.Clone();
        spec.MaxRounds = 9;

        await store.SaveAsync(run.State, run.Meta);
        await store.SaveSpecAsync("r1", spec);

        var read = await store.GetAsync("r1") ?? throw new InvalidOperationException("r1 is not stored");
        Assert.Equal(RunStatus.Completed, read.State.Status);
        Assert.Equal(run.Meta.FinishedAt, read.Meta.FinishedAt);
        Assert.True(read.Meta.UpdatedAt > before);
        Assert.Equal(9, read.Spec.MaxRounds);
    }

    [Fact]
    public async Task A_run_stored_by_an_earlier_local_run_loads_with_an_empty_spec()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "runs", "old")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "state.json"), LoopStateJson.Serialize(new LoopState { RunId = "old", Seeds = [], Status = RunStatus.Cancelled }));
        await File.WriteAllTextAsync(Path.Combine(folder, "run.json"), """
            {
              "testSet": { "path": "runs/old/test.jsonl", "sha256": "ab", "sizeBytes": 12, "mediaType": "application/jsonl" },
              "testItems": 3,
              "stageTimes": [ { "round": 0, "stage": "EVALUATE", "seconds": 1.5 } ],
              "checkpoints": { "0": { "id": "base", "path": "checkpoints/base", "sha256": "cd" } },
              "evalSeconds": { "0": 1.5 },
              "finishedAt": null,
              "report": null
            }
            """);

        var read = await new FileRunStore(new ArtifactStore(_dir)).GetAsync("old") ?? throw new InvalidOperationException("old is not stored");

        Assert.Equal(new RunSpec(), read.Spec);
        Assert.Equal(RunStatus.Cancelled, read.State.Status);
        Assert.Equal("runs/old/test.jsonl", read.Meta.TestSet?.Path);
        Assert.Equal(3, read.Meta.TestItems);
        Assert.Equal([new StageTime(0, "EVALUATE", 1.5)], read.Meta.StageTimes);
        Assert.Equal("base", read.Meta.Checkpoints[0].Id);
        Assert.Equal(1.5, read.Meta.EvalSeconds[0]);
    }

    private static StoredRun Run(string id)
    {
        var now = DateTimeOffset.UtcNow;
        return new StoredRun(id, EmbeddedRecipe.Spec("loss-high", randomSeed: 3, samplesPerRound: 4, maxRounds: 2),
            new LoopState { RunId = id, Seeds = [], Curve = [new CurvePoint(0, 0, 0, 0, 0.25, new Dictionary<string, double>(), double.NaN)] },
            new RunMeta
            {
                CreatedAt = now,
                UpdatedAt = now,
                TestSet = new ArtifactInfo($"runs/{id}/test.jsonl", "ab", 12, "application/jsonl"),
                TestItems = 3,
                Checkpoints = { [0] = new CheckpointHandle("base", "checkpoints/base", "cd") },
                StageTimes = [new StageTime(0, "EVALUATE", 1.5)],
            });
    }
}
