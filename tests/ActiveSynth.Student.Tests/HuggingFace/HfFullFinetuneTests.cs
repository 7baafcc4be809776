using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.HuggingFace;
using ActiveSynth.Student.Training;
using TorchSharp;

namespace ActiveSynth.Student.Tests.HuggingFace;

/// <summary><c>finetune=full</c>: a round trains every weight, saves the whole model, and the kept model gives each lease its checkpoint's weights.</summary>
public sealed class HfFullFinetuneTests : IDisposable
{
    private static readonly Dictionary<string, string> Options = new() { ["max_context"] = "128", ["finetune"] = "full" };
    private readonly string _artifacts = Path.Combine(Path.GetTempPath(), $"activesynth-hffull-{Guid.NewGuid():N}");
    private readonly TinyHfCheckpoint _model = TinyHfCheckpoint.Qwen(seed: 61);

    public void Dispose()
    {
        _model.Dispose();
        if (Directory.Exists(_artifacts))
        {
            Directory.Delete(_artifacts, recursive: true);
        }
    }

    [Fact]
    public async Task A_full_round_saves_the_whole_model_and_each_lease_gets_its_checkpoints_weights()
    {
        torch.set_num_threads(1);
        var store = new HfCheckpointStore(new ArtifactStore(_artifacts), Path.GetDirectoryName(_model.Directory));
        var baseInfo = await store.EnsureBaseAsync(Path.GetFileName(_model.Directory), Options);
        using var students = new HfStudentCache(store, torch.CPU);
        var probe = new[] { 5, 60, 270, TinyHfCheckpoint.FirstSpecialId + 1, 33 };
        float[] baseLogits;
        using (var lease = await students.AcquireAsync(baseInfo.Path, baseInfo.Sha256))
        {
            Assert.Null(lease.Student.AttachedLora);
            baseLogits = HfTestSupport.Logits(lease.Student, probe);
        }

        var round = await new HfRoundTrainer(students).TrainRoundAsync(new RoundTrainingPlan
        {
            OutputPath = "runs/full/checkpoints/r1",
            Metadata = new CheckpointMetadata { Id = "full-r1", Round = 1, RunId = "full" },
            Base = baseInfo,
            Dataset = [new TaskItem("a", "copy", 1, "copy abc", "a,b,c\n#### abc")],
            Settings = new TrainingSettings { Steps = 3, BatchSize = 1, LearningRate = 1e-2, Seed = 1 },
        });
        var directory = store.Artifacts.Resolve(round.Checkpoint.Path);
        Assert.True(File.Exists(Path.Combine(directory, "model.safetensors")));
        Assert.False(File.Exists(Path.Combine(directory, LoraAdapter.WeightsFile)));
        var (_, manifest) = await store.ReadAsync(round.Checkpoint.Path, round.Checkpoint.Sha256);
        Assert.Equal(await ArtifactStore.Sha256Async(Path.Combine(directory, "model.safetensors")), manifest.WeightsSha256);

        float[] trainedLogits;
        using (var lease = await students.AcquireAsync(round.Checkpoint.Path, round.Checkpoint.Sha256))
        {
            trainedLogits = HfTestSupport.Logits(lease.Student, probe);
        }
        Assert.True(HfTestSupport.MaxDifference(baseLogits, trainedLogits) > 1e-3, "training changed nothing");
        using (var lease = await students.AcquireAsync(baseInfo.Path, baseInfo.Sha256))
        {
            HfTestSupport.AssertSameLogits(baseLogits, HfTestSupport.Logits(lease.Student, probe)); // the base again, not the trained weights
        }
        var (loaded, _, _) = await store.LoadAsync(round.Checkpoint.Path, round.Checkpoint.Sha256, torch.CPU);
        using (loaded)
        {
            HfTestSupport.AssertSameLogits(trainedLogits, HfTestSupport.Logits(loaded, probe));
        }

        File.AppendAllText(Path.Combine(directory, "model.safetensors"), " ");
        var error = await Assert.ThrowsAsync<CheckpointException>(() => students.AcquireAsync(round.Checkpoint.Path, round.Checkpoint.Sha256));
        Assert.Contains("model.safetensors", error.Message, StringComparison.Ordinal);
    }
}
