using ActiveSynth.Teacher.Infrastructure;
using ActiveSynth.Teacher.Options;
using ActiveSynth.Teachers.Caching;
using ActiveSynth.Testing;
using StackExchange.Redis;

namespace ActiveSynth.Teacher.Tests;

/// <summary>The Teacher service's Redis-backed cache and duplicate set against a real redis-server.</summary>
public sealed class RedisInfrastructureTests : IAsyncLifetime
{
    private RedisServerProcess _redis = null!;
    private ConnectionMultiplexer _connection = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServerProcess.StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task A_cached_response_survives_a_new_client_and_a_miss_is_null()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new ResponseCacheOptions { KeyPrefix = $"test:{Guid.NewGuid():N}:" });
        var response = new CachedResponse("rev abc", "fake-model", 120, 30);
        await new RedisResponseCache(_connection, options).SetAsync("fingerprint-1", response);

        await using var other = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var cache = new RedisResponseCache(other, options);

        Assert.Equal(response, await cache.TryGetAsync("fingerprint-1"));
        Assert.Null(await cache.TryGetAsync("fingerprint-2"));
    }

    [Fact]
    public async Task A_start_mark_outlives_its_client_until_finished_and_expires_with_the_cache()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new ResponseCacheOptions { KeyPrefix = $"test:{Guid.NewGuid():N}:" });
        await using (var dying = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString))
        {
            Assert.True(await new RedisResponseCache(dying, options).TryStartAsync("fingerprint-1"));
        } // the replica is gone without finishing

        var cache = new RedisResponseCache(_connection, options);
        Assert.False(await cache.TryStartAsync("fingerprint-1")); // an earlier attempt was left unfinished
        Assert.True(await cache.TryStartAsync("fingerprint-2"));
        var ttl = await _connection.GetDatabase().KeyTimeToLiveAsync($"{options.Value.KeyPrefix}fingerprint-1:started");
        Assert.True(ttl > TimeSpan.FromDays(29), $"the mark expires with the cache's time to live, not {ttl}");

        await cache.FinishAsync("fingerprint-1");
        Assert.True(await cache.TryStartAsync("fingerprint-1"));
    }

    [Fact]
    public async Task A_question_is_claimed_once_per_scope()
    {
        var seen = new RedisSeenQuestions(_connection);
        var scope = $"run-{Guid.NewGuid():N}";

        Assert.True(await seen.TryClaimAsync(scope, "hash-a", "s1"));
        Assert.False(await seen.TryClaimAsync(scope, "hash-a", "s2"));
        Assert.True(await seen.TryClaimAsync(scope, "hash-b", "s3"));
        Assert.True(await seen.TryClaimAsync($"{scope}-other", "hash-a", "s4"));
    }
}
