using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>Creates a consumer group idempotently.</summary>
internal static class ConsumerGroupSetup
{
    /// <summary>
    /// XGROUP CREATE stream group 0 MKSTREAM. The group starts at <c>0</c>, not <c>$</c>, so entries published
    /// before the consuming service first started are not lost. BUSYGROUP (it exists) is the normal case.
    /// </summary>
    public static async Task EnsureAsync(IDatabase db, string stream, string group, ILogger logger)
    {
        try
        {
            if (await db.StreamCreateConsumerGroupAsync(stream, group, StreamPosition.Beginning, createStream: true).ConfigureAwait(false))
            {
                logger.GroupCreated(stream, group);
            }
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Another replica (or an earlier run) created it.
        }
    }
}
