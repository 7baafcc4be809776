using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Messaging;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.HuggingFace;
using ActiveSynth.Testing;
using TorchSharp;
using ActiveSynth.Workers.Training;

namespace ActiveSynth.Training.Tests;

/// <summary>
/// A Hugging Face student through the Training service's stream handler: a tiny random Qwen2 checkpoint written by the
/// test under the artifact root, round 0 (the base as it is), rounds 1 and 2 (LoRA adapters in the PEFT layout).
/// </summary>
public sealed class HfTrainingTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IDisposable
{
    private const string ModelPath = "models/tiny-qwen";
    private readonly TrainingHarness _harness = new(redis.ConnectionString);
    private readonly TinyHfCheckpoint _model = TinyHfCheckpoint.Qwen(seed: 21);

    // Requests are answered once per id on the shared redis-server: every test has its own run.
    private readonly string _run = $"hf-{Guid.NewGuid():N}"[..16];

    public void Dispose()
    {
        _model.Dispose();
        _harness.Dispose();
    }

    private static StreamMessage<TrainRequest> Message(TrainRequest request) =>
        new(Streams.TrainRequests, "1-0", $"{request.RunId}/{request.Round}/train", request.RunId, 1, request) { Group = ConsumerGroups.Training };

    private StudentSpec Student(params (string Key, string Value)[] options)
    {
        var target = Path.Combine(_harness.Root, ModelPath);
        if (!Directory.Exists(target))
        {
            Directory.CreateDirectory(target);
            foreach (var file in Directory.GetFiles(_model.Directory))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }
        var spec = new StudentSpec { Kind = StudentKind.Hf, Path = ModelPath, MaxNewTokens = 8 };
        spec.Options.Add("max_context", "128");
        spec.Options.Add("lora_rank", "4");
        spec.Options.Add("lora_dropout", "0");
        foreach (var (key, value) in options)
        {
            spec.Options[key] = value;
        }
        return spec;
    }

    private async Task<TrainResult> TrainAsync(TrainRequest request)
    {
        var before = _harness.Published.Entries.Count;
        await _harness.Handler.HandleAsync(Message(request), CancellationToken.None);
        return Assert.IsType<TrainResult>(_harness.Published.Entries[before].Message);
    }

    private static List<TaskItem> Dataset() => TrainingHarness.Items("copy", 1, 12, 4);

    private static Sample ToSample(TaskItem item) => new()
    {
        Id = item.Id, Family = item.Family, Difficulty = item.Difficulty, Question = item.Question, Answer = item.Answer,
    };

    private static SeedItem ToSeed(TaskItem item) => new()
    {
        Id = item.Id, Family = item.Family, Difficulty = item.Difficulty, Question = item.Question, Answer = item.Answer,
    };

    private TrainRequest Round(int round, ArtifactRef dataset, CheckpointRef? previous, StudentSpec student) => new()
    {
        RunId = _run, Round = round, RequestId = $"train-{round}", Dataset = dataset, SampleCount = 12, Student = student, PreviousCheckpoint = previous,
        Options = new TrainingOptions { Steps = 20, BatchSize = 4, LearningRate = 1e-2, LrSchedule = "constant", Init = TrainInit.Continue },
    };

    [Fact]
    public async Task Rounds_train_lora_adapters_on_the_base_and_save_them_in_the_peft_layout()
    {
        torch.set_num_threads(1);
        var student = Student();
        var test = await _harness.WriteJsonlAsync($"runs/{_run}/test.jsonl", TrainingHarness.Items("copy", 1, 4, 9).Select(ToSeed));
        var dataset = await _harness.WriteJsonlAsync($"runs/{_run}/r1.jsonl", Dataset().Select(ToSample));

        var base0 = await TrainAsync(new TrainRequest { RunId = _run, Round = 0, RequestId = "base", Student = student, TestSet = test });
        Assert.Equal("", base0.Failure);
        Assert.True(base0.Checkpoint.IsBase);
        Assert.StartsWith("students/hf/", base0.Checkpoint.Path, StringComparison.Ordinal);
        Assert.Equal(4, base0.Evaluation.Total);
        Assert.False(File.Exists(Path.Combine(_harness.Root, base0.Checkpoint.Path, "model.safetensors"))); // the base is referenced, not copied

        var r1 = await TrainAsync(Round(1, dataset, base0.Checkpoint, student));
        Assert.Equal("", r1.Failure);
        Assert.Equal($"runs/{_run}/checkpoints/r1", r1.Checkpoint.Path);
        Assert.Equal(20, r1.Steps);
        var adapter = Path.Combine(_harness.Root, r1.Checkpoint.Path);
        Assert.True(File.Exists(Path.Combine(adapter, LoraAdapter.ConfigFile)));
        var header = SafeTensors.ReadHeader(Path.Combine(adapter, LoraAdapter.WeightsFile));
        Assert.Contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", header.Entries.Keys);

        // The adapter is what was trained: the base with it has a lower loss on the round's data than the base alone.
        var store = new HfCheckpointStore(_harness.Artifacts);
        var (baseStudent, _, _) = await store.LoadAsync(base0.Checkpoint.Path, base0.Checkpoint.Sha256, torch.CPU);
        var (trained, _, _) = await store.LoadAsync(r1.Checkpoint.Path, r1.Checkpoint.Sha256, torch.CPU);
        using (baseStudent)
        using (trained)
        {
            var before = LoraTrainer.EvaluateLoss(baseStudent, Dataset());
            var after = LoraTrainer.EvaluateLoss(trained, Dataset());
            Assert.True(after < before * 0.9, $"loss on the round's data: base {before}, round 1 {after}");
        }

        // Round 2 continues from round 1's adapter. Round 1 asked again past the handler's answered marker (its result was
        // lost) is answered from the checkpoint on disk, not retrained.
        var r2 = await TrainAsync(Round(2, dataset, r1.Checkpoint, student));
        Assert.Equal("", r2.Failure);
        Assert.NotEqual(r1.Checkpoint.Sha256, r2.Checkpoint.Sha256);
        Assert.Equal(r1.Checkpoint.Id, r2.Checkpoint.ParentId);
        var again = await _harness.Service.TrainAsync(Round(1, dataset, base0.Checkpoint, student), CancellationToken.None);
        Assert.Equal(r1.Checkpoint.Sha256, again.Checkpoint.Sha256);
        Assert.Equal(r1.TrainLoss, again.TrainLoss, 6);
        // One read of the base for all of it: round 0's evaluation, two rounds of training, the answer from disk.
        Assert.Equal(1, _harness.HfStudents.BaseLoads);
    }

    [Fact]
    public async Task A_missing_model_directory_fails_the_request_naming_student_path()
    {
        var student = new StudentSpec { Kind = StudentKind.Hf, Path = "models/not-there" };

        var result = await TrainAsync(new TrainRequest { RunId = _run, Round = 0, RequestId = "base", Student = student });

        Assert.Contains("student.path", result.Failure, StringComparison.Ordinal);
        Assert.Contains("models/not-there", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_option_fails_the_request_naming_the_option()
    {
        var result = await TrainAsync(new TrainRequest { RunId = _run, Round = 0, RequestId = "base", Student = Student(("dtype", "float8")) });

        Assert.Contains("student.options[dtype]", result.Failure, StringComparison.Ordinal);
        Assert.Contains("float8", result.Failure, StringComparison.Ordinal);
    }
}
