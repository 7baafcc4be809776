using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Messaging;
using ActiveSynth.Teacher.Teaching;

namespace ActiveSynth.Teacher.Consumers;

/// <summary>
/// activesynth:generate:requests (group "teacher", a <see cref="GenerateChunk"/> per entry) → activesynth:generate:results, keyed by
/// the chunk's id. Idempotent by entry id: a chunk whose result was published is skipped; one that crashed between publishing
/// and marking is published again under the same id (consumers dedupe by id) with the same content, because generation is
/// deterministic and its teacher replies come from the response cache the second time.
/// </summary>
public sealed class GenerateRequestHandler(TeacherWork work, IStreamPublisher publisher, IIdempotencyStore idempotency,
    ILogger<GenerateRequestHandler> logger) : IStreamHandler<GenerateChunk>
{
    private const string Effect = "result";

    public async Task HandleAsync(StreamMessage<GenerateChunk> message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (await idempotency.IsAppliedAsync(StreamKeys.EffectMarker(message.Stream, message.Group, message.Id, Effect), ct).ConfigureAwait(false))
        {
            logger.AlreadyAnswered(message.Id);
            return;
        }
        var result = await work.HandleAsync(message.Payload, message.Id, ct).ConfigureAwait(false);
        await publisher.PublishAsync(Streams.GenerateResults, result, message.RunId, message.Id, ct).ConfigureAwait(false);
        await idempotency.ApplyOnceAsync(message, _ => { }, Effect, ct: ct).ConfigureAwait(false);
        logger.Generated(message.Id, result.Results.Count(r => r.Sample is not null), result.Results.Count,
            result.Results.Sum(r => r.Usage.PromptTokens + r.Usage.CompletionTokens), result.Results.Count(r => r.Usage.Cached));
    }
}
