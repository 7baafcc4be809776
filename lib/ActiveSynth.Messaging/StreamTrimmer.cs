using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>Outcome of one trim: entries removed and the id below which entries were eligible.</summary>
public readonly record struct StreamTrimResult(long Removed, string? MinId);

/// <summary>
/// Trims a stream only past what every consumer group has acked. For each group the first entry it may still
/// need is its lowest pending id if it has pending entries, else the entry after its last-delivered id
/// (everything up to there was delivered and acked). XTRIM MINID removes entries below the minimum over all
/// groups. A stream without groups is not trimmed (nobody has said what it needs). Limits: a group created
/// later starts from what is left (this library creates groups at <c>0</c> when its consumer starts, so a
/// consumer must have run once before its stream is trimmed past entries meant for it); XGROUP SETID backwards
/// is not supported.
/// </summary>
public sealed class StreamTrimmer(IConnectionMultiplexer redis)
{
    /// <summary>Trims <paramref name="stream"/> below the oldest entry any group still needs.</summary>
    /// <param name="stream">Stream key.</param>
    /// <param name="approximate">XTRIM MINID ~: Redis removes whole internal nodes only, so it may keep a few more (cheaper).</param>
    public async Task<StreamTrimResult> TrimAcknowledgedAsync(string stream, bool approximate = true)
    {
        var db = redis.GetDatabase();
        var groups = await GroupsAsync(db, stream).ConfigureAwait(false);
        return await TrimAsync(db, stream, groups, approximate).ConfigureAwait(false);
    }

    /// <summary>
    /// Trims <paramref name="stream"/> to its newest <paramref name="maxLength"/> entries (XTRIM MAXLEN), whatever its groups have
    /// acked: for a stream that readers follow as it goes (progress events), not one whose every entry some group must handle.
    /// </summary>
    /// <param name="stream">Stream key.</param>
    /// <param name="maxLength">Entries kept.</param>
    /// <param name="approximate">XTRIM MAXLEN ~: Redis removes whole internal nodes only, so it may keep a few more (cheaper).</param>
    public Task<long> TrimToLengthAsync(string stream, long maxLength, bool approximate = true) =>
        redis.GetDatabase().StreamTrimAsync(stream, maxLength, approximate);

    /// <summary>XINFO GROUPS, or none when the stream does not exist.</summary>
    internal static async Task<StreamGroupInfo[]> GroupsAsync(IDatabase db, RedisKey stream)
    {
        try
        {
            return await db.StreamGroupInfoAsync(stream).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("no such key", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }
    }

    internal static async Task<StreamTrimResult> TrimAsync(IDatabase db, string stream, StreamGroupInfo[] groups, bool approximate)
    {
        if (groups.Length == 0)
        {
            return new StreamTrimResult(0, null);
        }
        StreamId? min = null;
        foreach (var group in groups)
        {
            StreamId needed;
            if (group.PendingMessageCount > 0)
            {
                var pending = await db.StreamPendingAsync(stream, group.Name).ConfigureAwait(false);
                needed = pending.PendingMessageCount > 0
                    ? StreamId.Parse(pending.LowestPendingMessageId.ToString())
                    : StreamId.Parse(group.LastDeliveredId ?? "0-0").Next();
            }
            else
            {
                needed = StreamId.Parse(group.LastDeliveredId ?? "0-0").Next();
            }
            if (min is null || needed < min.Value)
            {
                min = needed;
            }
        }
        var minId = min!.Value;
        if (minId <= StreamId.Zero.Next())
        {
            return new StreamTrimResult(0, minId.ToString());
        }
        var removed = await db.StreamTrimByMinIdAsync(stream, minId.ToString(), approximate).ConfigureAwait(false);
        return new StreamTrimResult(removed, minId.ToString());
    }
}
