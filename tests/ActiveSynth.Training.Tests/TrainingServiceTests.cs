using ActiveSynth.Hosting.Grpc;
using ActiveSynth.Testing;
using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Messaging;
using ActiveSynth.Training.Grpc;
using Grpc.Core;
using ActiveSynth.Workers.Training;

namespace ActiveSynth.Training.Tests;

public sealed class TrainingServiceTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IDisposable
{
    private readonly TrainingHarness _harness = new(redis.ConnectionString);

    public void Dispose() => _harness.Dispose();

    private static StreamMessage<TrainRequest> Message(TrainRequest request, string entryId = "1-0") =>
        new(Streams.TrainRequests, entryId, $"{request.RunId}/{request.Round}/train", request.RunId, 1, request) { Group = ConsumerGroups.Training };

    private static Sample ToSample(TaskItem item) => new()
    {
        Id = item.Id, Family = item.Family, Difficulty = item.Difficulty, Question = item.Question, Answer = item.Answer,
    };

    private static SeedItem ToSeed(TaskItem item) => new()
    {
        Id = item.Id, Family = item.Family, Difficulty = item.Difficulty, Question = item.Question, Answer = item.Answer,
    };

    [Fact]
    public async Task Round_zero_returns_the_pretrained_base_and_its_evaluation()
    {
        var test = await _harness.WriteJsonlAsync("runs/a/test.jsonl", TrainingHarness.Items("copy", 1, 10, 5).Select(ToSeed));
        await _harness.Handler.HandleAsync(Message(new TrainRequest { RunId = "a", Round = 0, RequestId = "base", TestSet = test }), CancellationToken.None);

        var (stream, message, runId, id) = Assert.Single(_harness.Published.Entries);
        Assert.Equal(Streams.TrainResults, stream);
        Assert.Equal("a/0/train", id);
        Assert.Equal("a", runId);
        var result = Assert.IsType<TrainResult>(message);
        Assert.Equal("", result.Failure);
        Assert.True(result.Checkpoint.IsBase);
        Assert.StartsWith("bases/", result.Checkpoint.Path);
        Assert.Equal(64, result.Checkpoint.Sha256.Length);
        Assert.Equal(10, result.Evaluation.Total);
        Assert.Contains("copy", result.Evaluation.FamilyAccuracy.Keys);
    }

    [Fact]
    public async Task A_student_naming_base_families_gets_a_base_pretrained_on_them_cached_apart_from_the_default()
    {
        var named = await _harness.Service.EnsureBaseAsync(new StudentSpec { Kind = StudentKind.Embedded, Options = { ["base_families"] = "bool,sum10" } }, CancellationToken.None);
        var fallback = await _harness.Service.EnsureBaseAsync(null, CancellationToken.None);

        Assert.NotEqual(fallback.Path, named.Path);
        var checkpoints = new Student.Checkpoints.CheckpointStore(_harness.Artifacts);
        Assert.Equal("bool,sum10", (await checkpoints.ReadPropertiesAsync(named.Path, CancellationToken.None))["families"]);
        Assert.Equal("copy", (await checkpoints.ReadPropertiesAsync(fallback.Path, CancellationToken.None))["families"]);
    }

    [Fact]
    public async Task A_redelivered_train_request_does_not_train_twice()
    {
        var dataset = await _harness.WriteJsonlAsync("runs/b/r1.jsonl", TrainingHarness.Items("copy", 2, 12, 1).Select(ToSample));
        var test = await _harness.WriteJsonlAsync("runs/b/test.jsonl", TrainingHarness.Items("copy", 2, 6, 2).Select(ToSeed));
        var request = new TrainRequest
        {
            RunId = "b", Round = 1, RequestId = "train", Dataset = dataset, SampleCount = 12, TestSet = test,
            Options = new TrainingOptions { Steps = 5, BatchSize = 8, ReplayFraction = 0.5, LrSchedule = "constant", KeepOptimizerState = true },
        };

        await _harness.Handler.HandleAsync(Message(request), CancellationToken.None);
        var manifest = Path.Combine(_harness.Root, "runs/b/checkpoints/r1/checkpoint.json");
        var writtenAt = File.GetLastWriteTimeUtc(manifest);
        await _harness.Handler.HandleAsync(Message(request, entryId: "2-0"), CancellationToken.None);
        Assert.Single(_harness.Published.Entries); // answered already: not trained, not published again

        // A crash after the checkpoint was saved and before the answer was recorded: the next delivery answers from the checkpoint.
        await _harness.Redis.KeyDeleteAsync(StreamKeys.EffectMarker(Streams.TrainRequests, ConsumerGroups.Training, "b/1/train", "result"));
        await _harness.Handler.HandleAsync(Message(request, entryId: "3-0"), CancellationToken.None);

        Assert.Equal(2, _harness.Published.Entries.Count);
        var first = Assert.IsType<TrainResult>(_harness.Published.Entries[0].Message);
        var second = Assert.IsType<TrainResult>(_harness.Published.Entries[1].Message);
        Assert.Equal("", first.Failure);
        Assert.Equal("runs/b/checkpoints/r1", first.Checkpoint.Path);
        Assert.Equal(5, first.Steps);
        Assert.True(first.TokensTrained > 0);
        Assert.Equal(12, first.Checkpoint.TrainedSamples);
        Assert.Equal(first.Checkpoint.Sha256, second.Checkpoint.Sha256);
        Assert.Equal(first.TrainLoss, second.TrainLoss, 6);
        Assert.Equal(first.Evaluation.Accuracy, second.Evaluation.Accuracy);
        Assert.Equal(writtenAt, File.GetLastWriteTimeUtc(manifest));
        Assert.All(_harness.Published.Entries, e => Assert.Equal("b/1/train", e.Id));
    }

    [Fact]
    public async Task Continuing_round_two_from_round_one_records_the_lineage()
    {
        var dataset = await _harness.WriteJsonlAsync("runs/c/r1.jsonl", TrainingHarness.Items("copy", 2, 8, 1).Select(ToSample));
        var options = new TrainingOptions { Steps = 3, BatchSize = 8, ReplayFraction = 0.5, LrSchedule = "constant", KeepOptimizerState = true };
        var r1 = await _harness.Service.TrainAsync(new TrainRequest { RunId = "c", Round = 1, Dataset = dataset, Options = options }, CancellationToken.None);
        var r2 = await _harness.Service.TrainAsync(
            new TrainRequest { RunId = "c", Round = 2, Dataset = dataset, Options = options, PreviousCheckpoint = r1.Checkpoint }, CancellationToken.None);

        Assert.Equal(r1.Checkpoint.Id, r2.Checkpoint.ParentId);
        Assert.Equal("c-r2", r2.Checkpoint.Id);
        Assert.NotEqual(r1.Checkpoint.Sha256, r2.Checkpoint.Sha256);
    }

    [Fact]
    public async Task A_request_without_a_dataset_is_answered_with_a_failure_naming_the_field()
    {
        await _harness.Handler.HandleAsync(Message(new TrainRequest { RunId = "d", Round = 1 }), CancellationToken.None);
        var result = Assert.IsType<TrainResult>(Assert.Single(_harness.Published.Entries).Message);
        Assert.Contains("dataset.path", result.Failure);
        Assert.Empty(result.Checkpoint?.Path ?? "");
    }

    [Fact]
    public async Task A_previous_checkpoint_that_does_not_exist_is_a_failure_not_a_crash()
    {
        var dataset = await _harness.WriteJsonlAsync("runs/e/r1.jsonl", TrainingHarness.Items("copy", 2, 8, 1).Select(ToSample));
        var request = new TrainRequest
        {
            RunId = "e", Round = 2, Dataset = dataset, PreviousCheckpoint = new CheckpointRef { Path = "runs/e/checkpoints/r1", Sha256 = new string('a', 64) },
        };
        await _harness.Handler.HandleAsync(Message(request), CancellationToken.None);
        var result = Assert.IsType<TrainResult>(Assert.Single(_harness.Published.Entries).Message);
        Assert.Contains("runs/e/checkpoints/r1", result.Failure);
        Assert.Contains("not found", result.Failure);
    }

    [Fact]
    public async Task Evaluate_answers_invalid_argument_naming_the_field()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => ThroughInterceptor(new EvaluateRequest()));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("checkpoint.path", error.Status.Detail);

        var noItems = await Assert.ThrowsAsync<RpcException>(() =>
            ThroughInterceptor(new EvaluateRequest { Checkpoint = new CheckpointRef { Path = "x" } }));
        Assert.Equal(StatusCode.InvalidArgument, noItems.StatusCode);
        Assert.Contains("items", noItems.Status.Detail);
    }

    [Fact]
    public async Task Evaluate_of_a_missing_checkpoint_is_not_found()
    {
        var request = new EvaluateRequest { Checkpoint = new CheckpointRef { Path = "runs/none/checkpoints/r9" } };
        request.Items.Add(ToSeed(TrainingHarness.Items("copy", 1, 1, 1)[0]));
        var error = await Assert.ThrowsAsync<RpcException>(() => ThroughInterceptor(request));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("runs/none/checkpoints/r9", error.Status.Detail);
        Assert.DoesNotContain(_harness.Root, error.Status.Detail);
    }

    [Fact]
    public async Task Evaluate_scores_inline_items_per_family()
    {
        var base0 = await _harness.Service.EnsureBaseAsync(null, CancellationToken.None);
        var request = new EvaluateRequest { Checkpoint = new CheckpointRef { Path = base0.Path, Sha256 = base0.Sha256 }, IncludeItems = true };
        request.Items.AddRange(TrainingHarness.Items("copy", 1, 4, 9).Select(ToSeed));
        request.Items.AddRange(TrainingHarness.Items("rev", 1, 4, 9).Select(ToSeed));
        var response = await new TrainerApi(_harness.Service).Evaluate(request, new TestCallContext());
        Assert.Equal(8, response.Total);
        Assert.Equal(8, response.Items.Count);
        Assert.Equal(["copy", "rev"], response.FamilyAccuracy.Keys.Order());
        Assert.Equal(response.Correct / 8.0, response.Accuracy, 6);
    }

    /// <summary>The API as the service serves it: through the exception interceptor with the service's mappings.</summary>
    private Task<EvaluateResponse> ThroughInterceptor(EvaluateRequest request) =>
        new RpcExceptionInterceptor(new RpcExceptionMap([TrainingHostingExtensions.CheckpointRefusal]))
            .UnaryServerHandler<EvaluateRequest, EvaluateResponse>(request, new TestCallContext(), new TrainerApi(_harness.Service).Evaluate);
}
