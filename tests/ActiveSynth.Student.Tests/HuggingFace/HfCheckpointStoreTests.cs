using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.HuggingFace;
using ActiveSynth.Student.Training;
using TorchSharp;

namespace ActiveSynth.Student.Tests.HuggingFace;

/// <summary>HF checkpoints of runs: the base referenced under a models root of its own, adapters verified on load.</summary>
public sealed class HfCheckpointStoreTests : IDisposable
{
    private static readonly Dictionary<string, string> Options = new() { ["max_context"] = "128", ["lora_rank"] = "2", ["lora_dropout"] = "0" };
    private readonly string _artifacts = Path.Combine(Path.GetTempPath(), $"activesynth-hfstore-{Guid.NewGuid():N}");
    private readonly TinyHfCheckpoint _model = TinyHfCheckpoint.Qwen(seed: 51);
    private readonly HfCheckpointStore _store;

    public HfCheckpointStoreTests()
    {
        // The models root is the folder the tiny model was written into: outside the artifact root, as a download folder is.
        _store = new HfCheckpointStore(new ArtifactStore(_artifacts), Path.GetDirectoryName(_model.Directory));
    }

    private string ModelPath => Path.GetFileName(_model.Directory);

    public void Dispose()
    {
        _model.Dispose();
        Directory.Delete(_artifacts, recursive: true);
    }

    private async Task<CheckpointInfo> TrainedAsync(CheckpointInfo baseInfo)
    {
        using var students = new HfStudentCache(_store, torch.CPU);
        return await TrainedAsync(students, baseInfo, "s", seed: 1);
    }

    private static async Task<CheckpointInfo> TrainedAsync(HfStudentCache students, CheckpointInfo baseInfo, string run, long seed,
        string answer = "a,b,c\n#### abc") => (await new HfRoundTrainer(students).TrainRoundAsync(new RoundTrainingPlan
    {
        OutputPath = $"runs/{run}/checkpoints/r1",
        Metadata = new CheckpointMetadata { Id = $"{run}-r1", Round = 1, RunId = run },
        Base = baseInfo,
        Dataset = [new TaskItem("a", "copy", 1, "copy abc", answer)],
        Settings = new TrainingSettings { Steps = 2, BatchSize = 1, LearningRate = 1e-2, Seed = seed },
    })).Checkpoint;

    private Dictionary<string, float[]> AdapterTensors(CheckpointInfo info)
    {
        var file = Path.Combine(_store.Artifacts.Resolve(info.Path), LoraAdapter.WeightsFile);
        using var stream = File.OpenRead(file);
        return SafeTensors.ReadHeader(file).Entries.ToDictionary(e => e.Key, e =>
        {
            using var tensor = SafeTensors.ReadTensor(stream, e.Value);
            return tensor.data<float>().ToArray();
        });
    }

    [Fact]
    public async Task A_kept_base_that_trained_another_adapter_trains_a_round_as_a_freshly_loaded_base_does()
    {
        torch.set_num_threads(1);
        var baseInfo = await _store.EnsureBaseAsync(ModelPath, Options);
        CheckpointInfo fresh, other, reused;
        using (var freshCache = new HfStudentCache(_store, torch.CPU))
        {
            fresh = await TrainedAsync(freshCache, baseInfo, "fresh", seed: 1);
        }
        using (var keptCache = new HfStudentCache(_store, torch.CPU))
        {
            // Another run's round first leaves its trained adapter (other seed, other data) in the kept model.
            other = await TrainedAsync(keptCache, baseInfo, "other", seed: 7, answer: "a,b,c\n#### cba");
            reused = await TrainedAsync(keptCache, baseInfo, "reused", seed: 1);
            Assert.Equal(1, keptCache.BaseLoads);
        }

        var expected = AdapterTensors(fresh);
        var actual = AdapterTensors(reused);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, values) in expected)
        {
            var difference = values.Zip(actual[key], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(difference < 1e-6, $"{key} differs by {difference}");
        }
        // Control: the other run's adapter really is different, so a leaked adapter would have shown.
        var otherTensors = AdapterTensors(other);
        Assert.Contains(expected, p => p.Value.Zip(otherTensors[p.Key], (a, b) => Math.Abs(a - b)).Max() > 1e-3);
    }

    [Fact]
    public async Task The_base_is_found_under_the_models_root_and_not_copied_into_the_artifacts()
    {
        var baseInfo = await _store.EnsureBaseAsync(ModelPath, Options);
        var again = await _store.EnsureBaseAsync(ModelPath, Options);

        Assert.Equal(baseInfo.Sha256, again.Sha256); // written once per (base, options)
        Assert.Empty(Directory.GetFiles(_artifacts, "*.safetensors", SearchOption.AllDirectories));
        var (student, _, _) = await _store.LoadAsync(baseInfo.Path, baseInfo.Sha256, torch.CPU);
        using (student)
        {
            Assert.Equal(_model.Hidden, student.HiddenSize);
        }
        var outside = await Assert.ThrowsAsync<HfStudentSpecException>(() => _store.EnsureBaseAsync("../elsewhere", Options));
        Assert.Equal("student.path", outside.Field);
    }

    [Fact]
    public async Task Writers_racing_on_one_base_all_get_the_checkpoint_that_stays_on_disk()
    {
        // Two compare children pretrain the same base in one artifact folder: whoever loses the race must take the
        // winner's checkpoint, and nobody may replace one whose sha256 another already handed out.
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var stores = Enumerable.Range(0, 16).Select(_ => new HfCheckpointStore(new ArtifactStore(_artifacts), Path.GetDirectoryName(_model.Directory)));
            var infos = await Task.WhenAll(stores.Select(store => Task.Run(() => store.EnsureBaseAsync(ModelPath, Options))));

            var (onDisk, _) = await _store.ReadAsync(infos[0].Path, expectedSha256: null);
            Assert.All(infos, info => Assert.Equal(onDisk.Sha256, info.Sha256));
            Directory.Delete(Path.Combine(_artifacts, "students"), recursive: true);
        }
    }

    [Fact]
    public async Task Another_model_at_the_base_path_is_refused_naming_the_base()
    {
        var baseInfo = await _store.EnsureBaseAsync(ModelPath, Options);
        var weights = Directory.GetFiles(_model.Directory, "*.safetensors").First();
        await File.AppendAllTextAsync(weights, " "); // a different download: same config, other weight file size

        var e = await Assert.ThrowsAsync<CheckpointException>(() => _store.LoadAsync(baseInfo.Path, baseInfo.Sha256, torch.CPU));

        Assert.Contains($"of the base '{ModelPath}' changed", e.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tampered_adapter_is_refused_naming_its_file()
    {
        var trained = await TrainedAsync(await _store.EnsureBaseAsync(ModelPath, Options));
        var adapter = Path.Combine(_artifacts, trained.Path, LoraAdapter.WeightsFile);
        var bytes = await File.ReadAllBytesAsync(adapter);
        bytes[^1] ^= 0x01;
        await File.WriteAllBytesAsync(adapter, bytes);

        var e = await Assert.ThrowsAsync<CheckpointException>(() => _store.LoadAsync(trained.Path, trained.Sha256, torch.CPU));

        Assert.Equal(LoraAdapter.WeightsFile, e.FileName);
        Assert.Contains("runs/s/checkpoints/r1", e.Summary, StringComparison.Ordinal);
    }

    private static Task<RoundTrainingResult> RoundAsync(HfStudentCache students, CheckpointInfo baseInfo, CheckpointInfo? previous, string run,
        int round, bool keepOptimizerState) => new HfRoundTrainer(students).TrainRoundAsync(new RoundTrainingPlan
    {
        OutputPath = $"runs/{run}/checkpoints/r{round}",
        Metadata = new CheckpointMetadata { Id = $"{run}-r{round}", Round = round, RunId = run },
        Base = baseInfo,
        Previous = previous,
        KeepOptimizerState = keepOptimizerState,
        Dataset = HfTestSupport.Items(),
        Settings = RoundSettings(round),
    });

    private static TrainingSettings RoundSettings(int round) =>
        new() { Steps = 4, BatchSize = 2, LearningRate = 1e-2, Schedule = LearningRateSchedule.Constant, ReplayFraction = 0, Seed = round };

    [Fact]
    public async Task A_round_resumed_with_the_saved_optimizer_state_equals_training_straight_through()
    {
        torch.set_num_threads(1);
        var baseInfo = await _store.EnsureBaseAsync(ModelPath, Options);
        using var students = new HfStudentCache(_store, torch.CPU);
        var r1 = await RoundAsync(students, baseInfo, null, "kept", 1, keepOptimizerState: true);
        Assert.True(r1.Checkpoint.HasOptimizerState);
        var kept = await RoundAsync(students, baseInfo, r1.Checkpoint, "kept", 2, keepOptimizerState: true);
        var fresh = await RoundAsync(students, baseInfo, r1.Checkpoint, "fresh", 2, keepOptimizerState: false);

        // Straight through: one adapter and one AdamW for both rounds' steps, never saved in between.
        var (student, _, _) = await _store.LoadAsync(baseInfo.Path, baseInfo.Sha256, torch.CPU);
        using (student)
        {
            LoraAdapter.Attach(student, HfCheckpointStore.ParseOptions(Options).Lora, seed: 1);
            using var optimizer = LoraTrainer.CreateOptimizer(student, RoundSettings(1));
            foreach (var round in new[] { 1, 2 })
            {
                var settings = RoundSettings(round);
                LoraTrainer.Train(student, optimizer, settings, new TrainingBatchSampler(HfTestSupport.Items(), null, 0, settings.BatchSize, settings.Seed));
            }
            var straight = LoraAdapter.PeftTensors(student).ToDictionary(p => p.Key, p => p.Value.data<float>().ToArray());

            double MaxDifference(CheckpointInfo info) => AdapterTensors(info).Max(p => p.Value.Zip(straight[p.Key], (a, b) => Math.Abs(a - b)).Max());
            var withState = MaxDifference(kept.Checkpoint);
            var withoutState = MaxDifference(fresh.Checkpoint);
            Assert.True(withState < 1e-6, $"resumed with the optimizer state: differs by {withState}");
            Assert.True(withoutState > 1e-4, $"control: a fresh optimizer differs by only {withoutState}");
        }
    }

    [Fact]
    public async Task A_tampered_optimizer_state_is_refused_naming_its_file()
    {
        var baseInfo = await _store.EnsureBaseAsync(ModelPath, Options);
        using var students = new HfStudentCache(_store, torch.CPU);
        var r1 = await RoundAsync(students, baseInfo, null, "t", 1, keepOptimizerState: true);
        var file = Path.Combine(_artifacts, r1.Checkpoint.Path, HfCheckpointStore.OptimizerFile);
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[^1] ^= 0x01;
        await File.WriteAllBytesAsync(file, bytes);

        var e = await Assert.ThrowsAsync<CheckpointException>(() => RoundAsync(students, baseInfo, r1.Checkpoint, "t", 2, keepOptimizerState: true));

        Assert.Equal(HfCheckpointStore.OptimizerFile, e.FileName);
        Assert.Contains("runs/t/checkpoints/r1", e.Summary, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_artifacts, "runs/t/checkpoints/r2"))); // nothing written
    }

    [Fact]
    public async Task A_checkpoint_asked_for_with_another_sha256_is_refused()
    {
        var baseInfo = await _store.EnsureBaseAsync(ModelPath, Options);

        var e = await Assert.ThrowsAsync<CheckpointException>(() => _store.LoadAsync(baseInfo.Path, new string('0', 64), torch.CPU));

        Assert.Contains("not the", e.Summary, StringComparison.Ordinal);
    }
}
