using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>
/// Deletes keys by pattern without blocking Redis: SCAN with MATCH (never KEYS) on every primary, then UNLINK in batches
/// (the memory is freed in the background). Keys are written while a scan runs, so a caller that must see none left scans
/// again after whatever writes them has stopped.
/// </summary>
public static class RedisKeyDeleter
{
    /// <summary>Keys per UNLINK and per SCAN page.</summary>
    public const int BatchSize = 500;

    /// <summary>
    /// Deletes every key matching the glob <paramref name="pattern"/> for which <paramref name="keep"/> (if given) is false.
    /// Returns how many keys were deleted.
    /// </summary>
    public static async Task<long> DeleteAsync(IConnectionMultiplexer redis, string pattern, Func<string, bool>? keep = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        var db = redis.GetDatabase();
        long deleted = 0;
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            var batch = new List<RedisKey>(BatchSize);
            await foreach (var key in server.KeysAsync(db.Database, pattern, BatchSize).WithCancellation(ct).ConfigureAwait(false))
            {
                if (keep is not null && keep(key.ToString()))
                {
                    continue;
                }
                batch.Add(key);
                if (batch.Count == BatchSize)
                {
                    deleted += await UnlinkAsync(db, batch).ConfigureAwait(false);
                    batch.Clear();
                }
            }
            deleted += await UnlinkAsync(db, batch).ConfigureAwait(false);
        }
        return deleted;
    }

    /// <summary>
    /// <paramref name="literal"/> with the glob characters of Redis MATCH (<c>* ? [ ] \</c>) escaped, so it matches only itself.
    /// </summary>
    public static string EscapePattern(string literal)
    {
        ArgumentNullException.ThrowIfNull(literal);
        var escaped = new System.Text.StringBuilder(literal.Length);
        foreach (var c in literal)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                escaped.Append('\\');
            }
            escaped.Append(c);
        }
        return escaped.ToString();
    }

    private static async Task<long> UnlinkAsync(IDatabase db, List<RedisKey> keys)
    {
        if (keys.Count == 0)
        {
            return 0;
        }
        var result = await db.ExecuteAsync("UNLINK", [.. keys.Select(k => (object)k)]).ConfigureAwait(false);
        return (long)result;
    }
}
