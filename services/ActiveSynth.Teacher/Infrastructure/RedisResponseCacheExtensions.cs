using ActiveSynth.Workers.Teacher;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ActiveSynth.Teacher.Infrastructure;

/// <summary>The teacher's reply store: Microsoft.Extensions.Caching.StackExchangeRedis on the service's own Redis connection.</summary>
public static class RedisResponseCacheExtensions
{
    /// <summary>Registers <c>IDistributedCache</c> as a Redis cache under <see cref="ResponseCacheOptions.KeyPrefix"/>.</summary>
    public static IServiceCollection AddRedisResponseCache(this IServiceCollection services)
    {
        services.AddStackExchangeRedisCache(_ => { });
        services.AddOptions<RedisCacheOptions>().Configure<IConnectionMultiplexer, IOptions<ResponseCacheOptions>>((cache, redis, options) =>
        {
            cache.InstanceName = options.Value.KeyPrefix;
            cache.ConnectionMultiplexerFactory = () => Task.FromResult(redis);
        });
        return services;
    }
}
