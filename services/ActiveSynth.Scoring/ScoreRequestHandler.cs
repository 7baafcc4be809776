using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Messaging;

namespace ActiveSynth.Scoring;

/// <summary>
/// Consumes <c>activesynth:score:requests</c> (group "scoring") and publishes what <see cref="ScoreWork"/> answers on
/// <c>activesynth:score:results</c> under the request's idempotency id. Scoring has no side effect besides that result, so a
/// redelivery at worst republishes the same result with the same id (which the consumer applies once).
/// </summary>
public sealed class ScoreRequestHandler(ScoreWork work, IStreamPublisher publisher) : IStreamHandler<ScoreRequest>
{
    public async Task HandleAsync(StreamMessage<ScoreRequest> message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        var result = await work.HandleAsync(message.Payload, message.Id, ct).ConfigureAwait(false);
        await publisher.PublishAsync(Streams.ScoreResults, result, message.RunId, message.Id, ct).ConfigureAwait(false);
    }
}
