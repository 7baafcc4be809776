using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace ActiveSynth.Testing;

public static class RedisClientForTests
{
    /// <summary>
    /// The Redis connection a test host uses, the way the services add theirs (Aspire's client integration on
    /// <c>ConnectionStrings:redis</c>): start while Redis is down, reconnect soon after a restart, no tracing.
    /// </summary>
    public static IHostApplicationBuilder AddRedisClientForTests(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient("redis", settings => settings.DisableTracing = true, options =>
        {
            options.AbortOnConnectFail = false;
            options.ReconnectRetryPolicy = new ExponentialRetry(250, 5000);
        });
        return builder;
    }
}
