using System.Diagnostics;
using Google.Protobuf;
using StackExchange.Redis;

namespace ActiveSynth.Conformance;

/// <summary>
/// The stream wire as protos/README.md defines it, written and read with plain Redis commands: an entry has <c>type</c>,
/// <c>payload</c>, <c>run</c>, <c>id</c>, <c>traceparent</c> and <c>attempt</c>; a publisher signals <c>&lt;stream&gt;:wake</c>;
/// a dead-lettered entry goes to <c>&lt;stream&gt;:dead</c> with an <c>error</c> field.
/// </summary>
public sealed class StreamWire(IConnectionMultiplexer redis)
{
    private IDatabase Db => redis.GetDatabase();

    /// <summary>A new W3C traceparent (version 00, sampled) and its trace id.</summary>
    public static (string TraceParent, string TraceId) NewTrace()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        return ($"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01", traceId);
    }

    public Task<RedisValue> PublishAsync(string stream, IMessage message, string runId, string id, string traceParent) =>
        PublishRawAsync(stream, message.Descriptor.FullName, message.ToByteArray(), runId, id, traceParent);

    public async Task<RedisValue> PublishRawAsync(string stream, string type, byte[] payload, string runId, string id, string traceParent)
    {
        var entryId = await Db.StreamAddAsync(stream,
        [
            new NameValueEntry("type", type), new NameValueEntry("payload", payload), new NameValueEntry("run", runId),
            new NameValueEntry("id", id), new NameValueEntry("traceparent", traceParent), new NameValueEntry("attempt", 1),
        ]).ConfigureAwait(false);
        await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(stream + ":wake"), "1").ConfigureAwait(false);
        return entryId;
    }

    /// <summary>The id of the stream's newest entry ("0-0" when empty): entries after it are new.</summary>
    public async Task<string> LastIdAsync(string stream)
    {
        var last = await Db.StreamRangeAsync(stream, "-", "+", 1, Order.Descending).ConfigureAwait(false);
        return last.Length == 0 ? "0-0" : last[0].Id.ToString();
    }

    /// <summary>Entries of <paramref name="stream"/> after <paramref name="afterId"/>.</summary>
    public async Task<StreamEntry[]> EntriesAsync(string stream, string afterId) =>
        await Db.StreamRangeAsync(stream, $"({afterId}", "+").ConfigureAwait(false);

    /// <summary>Entries of <paramref name="stream"/> after <paramref name="afterId"/> whose <c>id</c> field is <paramref name="id"/>.</summary>
    public async Task<IReadOnlyList<StreamEntry>> EntriesAsync(string stream, string afterId, string id)
    {
        var entries = await Db.StreamRangeAsync(stream, $"({afterId}", "+").ConfigureAwait(false);
        return [.. entries.Where(e => e["id"] == id)];
    }

    /// <summary>Waits until at least <paramref name="count"/> entries with <paramref name="id"/> appear; returns what is there at the end.</summary>
    public async Task<IReadOnlyList<StreamEntry>> WaitForAsync(string stream, string afterId, string id, TimeSpan timeout, int count = 1)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var found = await EntriesAsync(stream, afterId, id).ConfigureAwait(false);
            if (found.Count >= count || deadline.Elapsed > timeout)
            {
                return found;
            }
            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    /// <summary>Pending entries of <paramref name="group"/> on <paramref name="stream"/> (all consumers).</summary>
    public async Task<StreamPendingMessageInfo[]> PendingAsync(string stream, string group)
    {
        try
        {
            return await Db.StreamPendingMessagesAsync(stream, group, 10_000, RedisValue.Null).ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            return [];
        }
    }

    /// <summary>The trace id of an entry's traceparent, or "".</summary>
    public static string TraceIdOf(StreamEntry entry)
    {
        var parent = (string?)entry["traceparent"] ?? "";
        var parts = parent.Split('-');
        return parts.Length == 4 ? parts[1] : "";
    }
}
