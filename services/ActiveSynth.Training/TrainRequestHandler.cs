using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Messaging;

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
public sealed class TrainRequestHandler(TrainWork work, IStreamPublisher publisher, IIdempotencyStore idempotency,
    TrainingLeases leases, ILogger<TrainRequestHandler> logger)
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
        var result = await work.HandleAsync(message.Payload, message.Id, ct).ConfigureAwait(false);
        await publisher.PublishAsync(Streams.TrainResults, result, message.RunId, message.Id, ct).ConfigureAwait(false);
    }
}
