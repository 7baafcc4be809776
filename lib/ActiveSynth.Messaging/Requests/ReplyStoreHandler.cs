using Google.Protobuf;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ActiveSynth.Messaging.Requests;

/// <summary>
/// The requester's consumer of a reply stream: stores each reply durably under its run and request id
/// (<see cref="ReplyKeys.Reply"/>), then notifies waiters. The consumer acks only after this returns, so a reply is never lost:
/// a restarted requester finds it stored, or still pending in the stream. Storing is idempotent (same id, same content).
/// </summary>
public sealed class ReplyStoreHandler<TReply>(IConnectionMultiplexer redis, IOptions<RequestClientOptions> options) : IStreamHandler<TReply>
    where TReply : IMessage<TReply>, new()
{
    public async Task HandleAsync(StreamMessage<TReply> message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (string.IsNullOrEmpty(message.RunId))
        {
            return; // ad-hoc work of no run: nobody waits for it
        }
        var key = ReplyKeys.Reply(message.RunId, message.Id);
        var db = redis.GetDatabase();
        await db.StringSetAsync(key, message.Payload.ToByteArray(), options.Value.ReplyTimeToLive).ConfigureAwait(false);
        await db.PublishAsync(ReplyKeys.StoredChannel, key).ConfigureAwait(false);
    }
}
