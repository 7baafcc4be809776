using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>Builds the process' one multiplexer.</summary>
internal static class RedisConnectionFactory
{
    public static IConnectionMultiplexer Connect(string? connectionString, string configurationKey)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(MissingMessage(configurationKey));
        }
        var options = ConfigurationOptions.Parse(connectionString);
        // Start even while Redis is down (it may start after us, or restart): the multiplexer keeps reconnecting,
        // and consumers retry with backoff meanwhile.
        options.AbortOnConnectFail = false;
        // Reconnect soon after a restart instead of the default multi-second exponential schedule.
        options.ReconnectRetryPolicy = new ExponentialRetry(250, 5000);
        return ConnectionMultiplexer.Connect(options);
    }

    public static string MissingMessage(string configurationKey) =>
        $"{configurationKey} is missing or empty. Set it to a StackExchange.Redis connection string " +
        "(e.g. 'localhost:6379,password=...'); under Aspire, reference the redis resource from this project.";
}
