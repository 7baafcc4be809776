using ActiveSynth.Workers.Teacher;
using ActiveSynth.Teachers.Caching;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ActiveSynth.Teacher.Infrastructure;

/// <summary>
/// Start marks of teacher calls in progress (<c>&lt;prefix&gt;&lt;fingerprint&gt;:started</c>), shared by every replica. A mark
/// outlives a replica killed mid-call, so the replica that redoes the call knows the first attempt may have been billed. It
/// expires with the cache's time to live.
/// </summary>
public sealed class RedisCallStartMarks(IConnectionMultiplexer redis, IOptions<ResponseCacheOptions> options) : ICallStartMarks
{
    public Task<bool> TryStartAsync(string fingerprint, CancellationToken ct = default) =>
        redis.GetDatabase().StringSetAsync(StartedKey(fingerprint), 1, options.Value.TimeToLive, When.NotExists);

    public Task FinishAsync(string fingerprint, CancellationToken ct = default) => redis.GetDatabase().KeyDeleteAsync(StartedKey(fingerprint));

    private string StartedKey(string fingerprint) => $"{options.Value.KeyPrefix}{fingerprint}:started";
}
