using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Messaging;
using ActiveSynth.Student.Checkpoints;

namespace ActiveSynth.Training;

/// <summary>
/// Consumes <c>activesynth:train:requests</c> (group "training"), trains (or, for round 0, provides the base),
/// evaluates, writes the checkpoint and publishes the TrainResult on <c>activesynth:train:results</c> under the
/// request's idempotency id. Idempotent: one replica at a time holds a request's lease (<see cref="TrainingLeases"/>), a
/// request whose result was published (effect marker "result") is not answered again, and the checkpoint path is fixed per
/// run and round and checked before training, so a redelivery after a crash republishes the same checkpoint instead of
/// training twice. Requests that
/// retrying cannot fix (bad fields, missing or corrupted checkpoints, unknown families) are answered with a failure
/// result; anything else throws and is retried, then dead-lettered.
/// </summary>
public sealed class TrainRequestHandler(StudentTrainingService training, IStreamPublisher publisher, IIdempotencyStore idempotency,
    TrainingLeases leases, TrainingMetrics metrics, ILogger<TrainRequestHandler> logger)
    : IStreamHandler<TrainRequest>
{
    private const string Effect = "result";

    public async Task HandleAsync(StreamMessage<TrainRequest> message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        var answered = StreamKeys.EffectMarker(message.Stream, message.Group, message.Id, Effect);
        if (await idempotency.IsAppliedAsync(answered, ct).ConfigureAwait(false))
        {
            logger.AlreadyAnswered(message.Id);
            return;
        }
        await using var lease = await leases.AcquireAsync(message.Id, ct).ConfigureAwait(false);
        if (await idempotency.IsAppliedAsync(answered, ct).ConfigureAwait(false))
        {
            logger.AlreadyAnswered(message.Id); // the replica that held the lease answered it while this one waited
            return;
        }
        await AnswerAsync(message, ct).ConfigureAwait(false);
        await idempotency.ApplyOnceAsync(message, _ => { }, Effect, ct: ct).ConfigureAwait(false);
    }

    private async Task AnswerAsync(StreamMessage<TrainRequest> message, CancellationToken ct)
    {
        var request = message.Payload;
        TrainResult result;
        try
        {
            result = await training.TrainAsync(request, ct).ConfigureAwait(false);
        }
        catch (InvalidRequestException ex)
        {
            metrics.Failed("invalid_request");
            logger.Rejected(request.RequestId, message.RunId, ex.Field, ex.Reason);
            result = Failure(request, $"invalid request: {ex.Message}");
        }
        catch (CheckpointException ex)
        {
            metrics.Failed(ex.IsMissing ? "checkpoint_missing" : "checkpoint_corrupted");
            var failure = ex.IsMissing
                ? $"checkpoint '{ex.CheckpointPath}' was not found in the artifact store"
                : $"checkpoint '{ex.CheckpointPath}' is corrupted (sha256 mismatch or unreadable file)";
            logger.RequestFailed(ex, request.RequestId, message.RunId, failure);
            result = Failure(request, failure);
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("Cannot pretrain the base", StringComparison.Ordinal))
        {
            metrics.Failed("base_unavailable");
            logger.RequestFailed(ex, request.RequestId, message.RunId, ex.Message);
            result = Failure(request, ex.Message);
        }
        await publisher.PublishAsync(Streams.TrainResults, result, message.RunId, message.Id, ct).ConfigureAwait(false);
    }

    private static TrainResult Failure(TrainRequest request, string failure) => new()
    {
        RunId = request.RunId,
        Round = request.Round,
        RequestId = request.RequestId,
        Failure = failure,
    };
}
