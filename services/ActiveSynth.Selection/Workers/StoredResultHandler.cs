using ActiveSynth.Selection.Options;
using ActiveSynth.Selection.Runs;
using ActiveSynth.Messaging;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ActiveSynth.Selection.Workers;

/// <summary>
/// Consumes a worker's results (group "selection"): stores each one durably under its run and request id, then notifies
/// waiters. The consumer acks only after this returns, so a result is never lost: a Selection restart finds it stored, or
/// still pending in the stream. Storing is idempotent (same id, same content).
/// </summary>
public sealed class StoredResultHandler<T>(IConnectionMultiplexer redis, IOptions<SelectionOptions> options) : IStreamHandler<T>
    where T : IMessage<T>, new()
{
    public async Task HandleAsync(StreamMessage<T> message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (string.IsNullOrEmpty(message.RunId))
        {
            return; // ad-hoc work of no run: nobody waits for it
        }
        var key = RunKeys.Result(message.RunId, message.Id);
        var db = redis.GetDatabase();
        await db.StringSetAsync(key, message.Payload.ToByteArray(), options.Value.ResultTimeToLive).ConfigureAwait(false);
        await db.PublishAsync(RedisChannel.Literal(RunKeys.ResultsChannel), key).ConfigureAwait(false);
    }
}
