using ActiveSynth.Teacher.Infrastructure;
using ActiveSynth.Workers.Teacher;
using ActiveSynth.Teachers;
using ActiveSynth.Teachers.Caching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using ActiveSynth.Testing;
using StackExchange.Redis;

namespace ActiveSynth.Teacher.Tests;

/// <summary>The Teacher service's Redis-backed reply store, start marks and duplicate set against a real redis-server.</summary>
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
    public async Task A_reply_stored_in_redis_is_a_hit_for_another_replica_with_its_usage_and_expires_with_the_cache()
    {
        var options = new ResponseCacheOptions { KeyPrefix = $"test:{Guid.NewGuid():N}:" };
        var prompt = new[] { new ChatMessage(ChatRole.User, "Write one question.") };
        var chatOptions = new ChatOptions { ModelId = "fake-model", Seed = 3 };

        using var first = CacheServices(_connection, options);
        var paid = await Pipeline(first, new CountingTeacher("rev abc")).GetResponseAsync(prompt, chatOptions);
        Assert.Equal("rev abc", paid.Text);
        Assert.Equal(150, paid.Usage?.TotalTokenCount);

        await using var other = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        using var second = CacheServices(other, options);
        var teacher = new CountingTeacher("never asked");
        var hit = await Pipeline(second, teacher).GetResponseAsync(prompt, chatOptions);

        Assert.Equal(0, teacher.Calls);
        Assert.Equal("rev abc", hit.Text);
        Assert.Equal(150, hit.Usage?.TotalTokenCount); // what it cost when paid for: a budget is charged that, the endpoint nothing
        Assert.True(hit.AdditionalProperties?[TeacherOptionKeys.Cached] is true);
        var fingerprint = RequestFingerprint.Compute(prompt, chatOptions, "fake-model");
        var ttl = await _connection.GetDatabase().KeyTimeToLiveAsync(options.KeyPrefix + fingerprint);
        Assert.True(ttl > TimeSpan.FromDays(29), $"the reply expires with the cache's time to live, not {ttl}");

        var miss = await Pipeline(second, teacher).GetResponseAsync(prompt, new ChatOptions { ModelId = "fake-model", Seed = 4 });
        Assert.Equal(1, teacher.Calls);
        Assert.Equal("never asked", miss.Text);
    }

    [Fact]
    public async Task A_start_mark_outlives_its_client_until_finished_and_expires_with_the_cache()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new ResponseCacheOptions { KeyPrefix = $"test:{Guid.NewGuid():N}:" });
        await using (var dying = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString))
        {
            Assert.True(await new RedisCallStartMarks(dying, options).TryStartAsync("fingerprint-1"));
        } // the replica is gone without finishing

        var marks = new RedisCallStartMarks(_connection, options);
        Assert.False(await marks.TryStartAsync("fingerprint-1")); // an earlier attempt was left unfinished
        Assert.True(await marks.TryStartAsync("fingerprint-2"));
        var ttl = await _connection.GetDatabase().KeyTimeToLiveAsync($"{options.Value.KeyPrefix}fingerprint-1:started");
        Assert.True(ttl > TimeSpan.FromDays(29), $"the mark expires with the cache's time to live, not {ttl}");

        await marks.FinishAsync("fingerprint-1");
        Assert.True(await marks.TryStartAsync("fingerprint-1"));
    }

    /// <summary>The Teacher service's registrations of the reply store and the start marks, on <paramref name="redis"/>.</summary>
    private static ServiceProvider CacheServices(IConnectionMultiplexer redis, ResponseCacheOptions options)
    {
        var services = new ServiceCollection().AddSingleton(redis).AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        services.AddRedisResponseCache().AddSingleton<ICallStartMarks, RedisCallStartMarks>();
        return services.BuildServiceProvider();
    }

    private static IChatClient Pipeline(ServiceProvider services, IChatClient teacher) =>
        TeacherPipeline.Build(teacher, "fake-model", new TeacherResponseCache(services.GetRequiredService<IDistributedCache>(),
            services.GetRequiredService<ICallStartMarks>(), TimeSpan.FromDays(30)), null, null, null);

    /// <summary>A teacher that answers <paramref name="text"/> at 120 + 30 tokens and counts its calls.</summary>
    private sealed class CountingTeacher(string text) : IChatClient
    {
        public int Calls { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls++;
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
            {
                ModelId = "fake-model",
                Usage = new UsageDetails { InputTokenCount = 120, OutputTokenCount = 30, TotalTokenCount = 150 },
            });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
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
