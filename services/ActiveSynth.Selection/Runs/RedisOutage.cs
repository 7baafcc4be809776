using StackExchange.Redis;

namespace ActiveSynth.Selection.Runs;

/// <summary>
/// Redis unreachable (restarting, a network cut): the connection failed or a command timed out waiting for it. Such an error
/// interrupts a run, it does not fail it: the run is resumed from its last durable save once Redis answers again.
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
