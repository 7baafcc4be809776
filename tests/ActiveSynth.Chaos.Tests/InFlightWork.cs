using System.Globalization;
using StackExchange.Redis;

namespace ActiveSynth.Chaos.Tests;

/// <summary>
/// Who holds a stream's in-flight entries: the consumers with pending entries in a group (XPENDING). A consumer is named
/// <c>&lt;machine&gt;-&lt;pid&gt;-&lt;guid8&gt;</c>, so its process id is in its name.
/// </summary>
public static class InFlightWork
{
    public static async Task<IReadOnlyList<(string Consumer, int Pid, long Pending)>> HoldersAsync(IDatabase db, string stream, string group)
    {
        StreamPendingInfo info;
        try
        {
            info = await db.StreamPendingAsync(stream, group);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("NOGROUP", StringComparison.Ordinal))
        {
            return [];
        }
        return [.. info.Consumers.Where(c => c.PendingMessageCount > 0)
            .Select(c => (Consumer: c.Name.ToString(), Pid: PidOf(c.Name.ToString()), Pending: (long)c.PendingMessageCount))
            .Where(c => c.Pid > 0 && ProcessTree.IsAlive(c.Pid))];
    }

    private static int PidOf(string consumer)
    {
        var parts = consumer.Split('-');
        return parts.Length >= 3 && int.TryParse(parts[^2], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0;
    }
}
