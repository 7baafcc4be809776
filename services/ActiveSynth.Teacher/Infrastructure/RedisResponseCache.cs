using System.Text.Json;
using ActiveSynth.Teacher.Options;
using ActiveSynth.Teachers.Caching;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ActiveSynth.Teacher.Infrastructure;

/// <summary>
/// Teacher replies in Redis, shared by every replica, so a re-run (or a redelivery on another replica) does not pay again. A
/// call in progress has a start mark (<c>&lt;key&gt;:started</c>) that outlives a replica killed mid-call, so the replica that
/// redoes the call knows the first attempt may have been billed.
/// </summary>
public sealed class RedisResponseCache(IConnectionMultiplexer redis, IOptions<ResponseCacheOptions> options) : IResponseCache
{
    public async Task<CachedResponse?> TryGetAsync(string fingerprint, CancellationToken ct = default)
    {
        var value = await redis.GetDatabase().StringGetAsync(options.Value.KeyPrefix + fingerprint).ConfigureAwait(false);
        return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<CachedResponse>((string)value!);
    }

    public Task SetAsync(string fingerprint, CachedResponse response, CancellationToken ct = default) =>
        redis.GetDatabase().StringSetAsync(options.Value.KeyPrefix + fingerprint, JsonSerializer.Serialize(response), options.Value.TimeToLive);

    public Task<bool> TryStartAsync(string fingerprint, CancellationToken ct = default) =>
        redis.GetDatabase().StringSetAsync(StartedKey(fingerprint), 1, options.Value.TimeToLive, When.NotExists);

    public Task FinishAsync(string fingerprint, CancellationToken ct = default) => redis.GetDatabase().KeyDeleteAsync(StartedKey(fingerprint));

    private string StartedKey(string fingerprint) => $"{options.Value.KeyPrefix}{fingerprint}:started";
}
