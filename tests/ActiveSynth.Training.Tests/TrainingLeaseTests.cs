using System.Diagnostics;
using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Messaging;
using ActiveSynth.Testing;
using ActiveSynth.Workers.Training;

namespace ActiveSynth.Training.Tests;

/// <summary>
/// Two replicas handed the same train request at once (the Selection service re-publishing it after a restart, or an entry
/// claimed from a slow replica) train it once: the second waits for the first one's lease, then finds it answered.
/// </summary>
public sealed class TrainingLeaseTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"activesynth-training-lease-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Two_replicas_given_the_same_request_at_once_train_and_answer_it_once()
    {
        using var first = new TrainingHarness(redis.ConnectionString, _root, "replica-1");
        using var second = new TrainingHarness(redis.ConnectionString, _root, "replica-2");
        var request = await RequestAsync(first, "lease-a");

        await Task.WhenAll(
            Task.Run(() => first.Handler.HandleAsync(Message(request, "1-0"), CancellationToken.None)),
            Task.Run(() => second.Handler.HandleAsync(Message(request, "2-0"), CancellationToken.None)));

        var published = first.Published.Entries.Concat(second.Published.Entries).ToList();
        var (_, message, _, id) = Assert.Single(published);
        Assert.Equal("lease-a/1/train", id);
        Assert.Equal("", Assert.IsType<TrainResult>(message).Failure);
        Assert.False(await first.Redis.KeyExistsAsync($"{TrainingHostingExtensions.LeasePrefix}:{id}"), "the lease was not released");
    }

    [Fact]
    public async Task A_lease_left_by_a_dead_replica_runs_out_and_the_request_is_trained()
    {
        var leaseTime = TimeSpan.FromSeconds(2);
        using var survivor = new TrainingHarness(redis.ConnectionString, _root, "replica-2", leaseTime);
        var request = await RequestAsync(survivor, "lease-b");
        // What a replica killed mid-training leaves behind: its lease, no longer renewed.
        await survivor.Redis.StringSetAsync($"{TrainingHostingExtensions.LeasePrefix}:lease-b/1/train", "replica-1/dead", leaseTime);

        var waited = Stopwatch.StartNew();
        await survivor.Handler.HandleAsync(Message(request, "1-0"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        var (_, message, _, _) = Assert.Single(survivor.Published.Entries);
        Assert.Equal("", Assert.IsType<TrainResult>(message).Failure);
        Assert.True(waited.Elapsed >= TimeSpan.FromSeconds(1), $"trained after {waited.Elapsed.TotalSeconds:0.0} s, before the dead replica's lease ran out");
    }

    private static async Task<TrainRequest> RequestAsync(TrainingHarness harness, string runId)
    {
        var dataset = await harness.WriteJsonlAsync($"runs/{runId}/r1.jsonl", TrainingHarness.Items("copy", 2, 12, 1).Select(ToSample));
        return new TrainRequest
        {
            RunId = runId, Round = 1, RequestId = "train", Dataset = dataset, SampleCount = 12,
            Options = new TrainingOptions { Steps = 20, BatchSize = 8, ReplayFraction = 0.5, LrSchedule = "constant" },
        };
    }

    private static StreamMessage<TrainRequest> Message(TrainRequest request, string entryId) =>
        new(Streams.TrainRequests, entryId, $"{request.RunId}/{request.Round}/train", request.RunId, 1, request) { Group = ConsumerGroups.Training };

    private static Sample ToSample(TaskItem item) => new()
    {
        Id = item.Id, Family = item.Family, Difficulty = item.Difficulty, Question = item.Question, Answer = item.Answer,
    };
}
