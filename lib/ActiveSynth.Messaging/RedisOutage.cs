using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>
/// Redis unreachable (restarting, a network cut): the connection failed or a command timed out waiting for it. Whoever depends
/// on Redis can tell such an error from its own failure, and wait until Redis answers again (a run is interrupted, not failed).
/// </summary>
public static class RedisOutage
{
    public static bool Is(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is RedisConnectionException or RedisTimeoutException)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Waits until Redis answers PING (backing off from 250 ms to 5 s).</summary>
    public static async Task WaitUntilAvailableAsync(IConnectionMultiplexer redis, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(redis);
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                await redis.GetDatabase().PingAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (Is(ex))
            {
                await Task.Delay(delay, ct).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }
}
