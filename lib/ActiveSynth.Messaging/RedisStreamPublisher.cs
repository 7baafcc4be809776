using System.Diagnostics;
using Google.Protobuf;
using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>
/// XADD of a typed protobuf message with its envelope fields, inside a Producer span when the caller is in a trace, then a signal
/// on the stream's wake channel so that waiting consumers read it at once.
/// </summary>
internal sealed class RedisStreamPublisher(IConnectionMultiplexer redis, MessagingMetrics metrics) : IStreamPublisher
{
    public async Task<string> PublishAsync<T>(string stream, T message, string runId, string id, CancellationToken ct = default)
        where T : IMessage<T>
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stream);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(id);

        // A Producer span only inside a trace: outside any span (run events between stages, say) it would be a one-span trace of
        // its own; the entry then carries no context and its consumer's span starts the trace.
        using var activity = Activity.Current is null ? null : MessagingDiagnostics.ActivitySource.StartActivity($"send {stream}", ActivityKind.Producer);
        activity?.SetTag("messaging.system", "redis");
        activity?.SetTag("messaging.operation.type", "send");
        activity?.SetTag(MessagingMetrics.StreamTag, stream);
        activity?.SetTag("messaging.message.id", id);
        activity?.SetTag("activesynth.run", runId);

        var fields = new List<NameValueEntry>(7)
        {
            new(StreamEntryFields.Type, message.Descriptor.FullName),
            new(StreamEntryFields.Payload, message.ToByteArray()),
            new(StreamEntryFields.Run, runId),
            new(StreamEntryFields.Id, id),
            new(StreamEntryFields.Attempt, 1),
        };
        // Activity.Current is the producer span when someone listens, else the caller's span (if any).
        TraceContext.Inject(Activity.Current, fields);

        try
        {
            var db = redis.GetDatabase();
            var entryId = await db.StreamAddAsync(stream, [.. fields]).WaitAsync(ct).ConfigureAwait(false);
            metrics.Published(stream);
            await db.PublishAsync(StreamKeys.WakeChannel(stream), entryId.ToString()).WaitAsync(ct).ConfigureAwait(false);
            activity?.SetTag("messaging.redis.entry_id", entryId.ToString());
            return entryId.ToString();
        }
        catch (Exception ex) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
    }
}
