using System.Collections.Concurrent;
using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Messaging;
using Google.Protobuf.WellKnownTypes;

namespace ActiveSynth.Selection.Tests.Support;

/// <summary>What the fake workers did, shared by every host of a test (a restarted Selection talks to the same "workers").</summary>
public sealed class WorkerLog
{
    public ConcurrentDictionary<string, int> Generated { get; } = new();

    public ConcurrentDictionary<string, int> Trained { get; } = new();

    public ConcurrentDictionary<string, int> Scored { get; } = new();

    /// <summary>How long a training request takes (cancel and restart tests make it slow).</summary>
    public TimeSpan TrainDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    public ConcurrentQueue<int> DatasetSizes { get; } = new();
}

/// <summary>Scores every item with NLL = difficulty + a small per-item offset (so loss-high picks the hardest).</summary>
public sealed class FakeScorer(IStreamPublisher publisher, WorkerLog log) : IStreamHandler<ScoreRequest>
{
    public async Task HandleAsync(StreamMessage<ScoreRequest> message, CancellationToken ct)
    {
        var request = message.Payload;
        var result = new ScoreResult { RunId = request.RunId, Round = request.Round, RequestId = request.RequestId, CheckpointId = request.Checkpoint.Id };
        result.Signals.AddRange(request.Items.Select((item, i) => new ScoreSignals
        {
            ItemId = item.Id,
            Family = item.Family,
            OwnAnswerMeanNll = item.Difficulty + (i % 7) * 0.01,
        }));
        await publisher.PublishAsync(Streams.ScoreResults, result, message.RunId, message.Id, ct);
        log.Scored.AddOrUpdate(message.Id, 1, (_, n) => n + 1);
    }
}

/// <summary>Writes one sample per request of a chunk (every 5th slot is dropped as "no final answer"), 2 calls and 100 tokens each.</summary>
public sealed class FakeTeacher(IStreamPublisher publisher, WorkerLog log) : IStreamHandler<GenerateChunk>
{
    public async Task HandleAsync(StreamMessage<GenerateChunk> message, CancellationToken ct)
    {
        var chunk = new GenerateChunkResult { RunId = message.Payload.RunId, Round = message.Payload.Round, RequestId = message.Id };
        foreach (var request in message.Payload.Requests)
        {
            var itemId = $"{message.Id}#{request.Slot}";
            var usage = new TeacherUsage { Calls = 2, PromptTokens = 60, CompletionTokens = 40, Model = "fake" };
            var result = new GenerateResult
            {
                RunId = request.RunId, Round = request.Round, RequestId = itemId, SeedId = request.Seed.Id, Slot = request.Slot,
                Attempt = request.Attempt, Usage = usage, ReservationId = request.Reserved.ReservationId,
            };
            if (request.Slot % 5 == 4)
            {
                result.Drop = new Drop { Reason = DropReason.NoFinalAnswer, Detail = "fake drop", SeedId = request.Seed.Id, Round = request.Round, Usage = usage };
            }
            else
            {
                var lineage = request.Lineage.Clone();
                lineage.TeacherCallIds.Add([$"{itemId}#q", $"{itemId}#s"]);
                result.Sample = new Sample
                {
                    Id = request.SampleId,
                    Question = $"{request.Seed.Question} r{request.Round}s{request.Slot}",
                    Answer = request.Seed.Answer,
                    Family = request.Seed.Family,
                    Difficulty = request.Seed.Difficulty,
                    Lineage = lineage,
                };
            }
            chunk.Results.Add(result);
            log.Generated.AddOrUpdate(itemId, 1, (_, n) => n + 1);
        }
        await publisher.PublishAsync(Streams.GenerateResults, chunk, message.RunId, message.Id, ct);
    }
}

/// <summary>Checks the dataset against its sha256 and count, "trains" for <see cref="WorkerLog.TrainDelay"/>, reports accuracy 0.2 + 0.1·round.</summary>
public sealed class FakeTrainer(IStreamPublisher publisher, ArtifactStore artifacts, WorkerLog log) : IStreamHandler<TrainRequest>
{
    public async Task HandleAsync(StreamMessage<TrainRequest> message, CancellationToken ct)
    {
        var request = message.Payload;
        await Task.Delay(log.TrainDelay, ct);
        var result = new TrainResult { RunId = request.RunId, Round = request.Round, RequestId = request.RequestId, TrainLoss = 1.0 / (request.Round + 1) };
        if (request.Round > 0)
        {
            await using var stream = await artifacts.OpenVerifiedAsync(request.Dataset.Path, request.Dataset.Sha256, ct);
            using var reader = new StreamReader(stream);
            var lines = (await reader.ReadToEndAsync(ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            if (lines != request.SampleCount)
            {
                result.Failure = $"dataset has {lines} lines, request says {request.SampleCount}";
            }
            log.DatasetSizes.Enqueue(lines);
        }
        await using (var test = await artifacts.OpenVerifiedAsync(request.TestSet.Path, request.TestSet.Sha256, ct))
        {
            // the test set travels by path + sha256 too
        }
        result.Checkpoint = new CheckpointRef
        {
            Id = request.Round == 0 ? "base-fake" : $"{request.RunId}-r{request.Round}",
            Round = request.Round,
            Path = request.Round == 0 ? "base/fake" : $"runs/{request.RunId}/checkpoints/r{request.Round}",
            Sha256 = new string('a', 64),
        };
        result.Evaluation = new EvaluateResponse { Accuracy = 0.2 + 0.1 * request.Round, Total = 24, Correct = 5, Duration = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(5)) };
        result.Evaluation.FamilyAccuracy["copy"] = 0.5;
        result.EvalDuration = result.Evaluation.Duration;
        await publisher.PublishAsync(Streams.TrainResults, result, message.RunId, message.Id, ct);
        log.Trained.AddOrUpdate(message.Id, 1, (_, n) => n + 1);
    }
}
