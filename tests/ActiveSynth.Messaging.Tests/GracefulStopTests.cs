using System.Diagnostics;
using ActiveSynth.Messaging.Tests.Support;
using ActiveSynth.Testing;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace ActiveSynth.Messaging.Tests;

/// <summary>A consumer stopped as on SIGTERM: work that ends within the grace period is acked, the rest is handed back at once.</summary>
[Collection(RedisCollection.Name)]
public sealed class GracefulStopTests(RedisServerFixture redis) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LongClaimIdleTime = TimeSpan.FromSeconds(40);
    private readonly string _stream = $"test:{Guid.NewGuid():N}";
    private ConnectionMultiplexer _direct = null!;
    private IHost _publisherHost = null!;

    private IDatabase Db => _direct.GetDatabase();

    public async Task InitializeAsync()
    {
        _direct = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        _publisherHost = await TestHosts.StartPublisherAsync(redis.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await TestHosts.StopAllAsync(_publisherHost);
        await _direct.DisposeAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task Work_that_ends_within_the_grace_period_is_finished_and_acked_by_the_stopping_consumer()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = 0;
        var probe = new Probe
        {
            Behavior = async (_, _, _) =>
            {
                started.TrySetResult();
                await Task.Delay(1000, CancellationToken.None); // keeps working after the stop begins
                Interlocked.Increment(ref finished);
            },
        };
        var host = await TestHosts.StartConsumerAsync(redis.ConnectionString, _stream, probe, o =>
        {
            o.StopGracePeriod = TimeSpan.FromSeconds(5);
            o.ClaimIdleTime = LongClaimIdleTime;
        });
        await _publisherHost.Services.GetRequiredService<IStreamPublisher>().PublishAsync(_stream, new StringValue { Value = "w" }, "r", "r/w");
        await started.Task.WaitAsync(Timeout);

        await TestHosts.StopAllAsync(host);

        Assert.Equal(1, Volatile.Read(ref finished));
        Assert.Equal(0, (await Db.StreamPendingAsync(_stream, "g")).PendingMessageCount);
    }

    [Fact(Timeout = 60_000)]
    public async Task Work_unfinished_at_the_end_of_the_grace_period_is_handed_back_and_taken_by_another_consumer_at_once()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hangs = new Probe
        {
            Behavior = async (_, _, ct) =>
            {
                started.TrySetResult();
                await Task.Delay(System.Threading.Timeout.Infinite, ct);
            },
        };
        var stopping = await TestHosts.StartConsumerAsync(redis.ConnectionString, _stream, hangs, o =>
        {
            o.ConsumerName = "old";
            o.StopGracePeriod = TimeSpan.FromMilliseconds(300);
            o.ClaimIdleTime = LongClaimIdleTime;
        });
        await _publisherHost.Services.GetRequiredService<IStreamPublisher>().PublishAsync(_stream, new StringValue { Value = "w" }, "r", "r/w");
        await started.Task.WaitAsync(Timeout);

        var stop = Stopwatch.StartNew();
        await TestHosts.StopAllAsync(stopping);
        var stopSeconds = stop.Elapsed.TotalSeconds;

        var taken = new TaskCompletionSource<StreamMessage<StringValue>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();
        var replacement = await TestHosts.StartConsumerAsync(redis.ConnectionString, _stream,
            new Probe { Behavior = (m, _, _) => { taken.TrySetResult(m); return Task.CompletedTask; } },
            o =>
            {
                o.ConsumerName = "new";
                o.ClaimIdleTime = LongClaimIdleTime;
            });
        try
        {
            var message = await taken.Task.WaitAsync(Timeout);
            Assert.True(stopSeconds < 5, $"the stop took {stopSeconds:0.0} s; the grace period is 0.3 s");
            Assert.True(clock.Elapsed < LongClaimIdleTime / 2, $"taken {clock.Elapsed.TotalSeconds:0.0} s after the replacement started: not handed back");
            Assert.Equal("new", message.Consumer);
            Assert.Equal(2, message.Attempt); // the hand-back itself is not a delivery
            await Eventually.WaitAsync(async () => (await Db.StreamPendingAsync(_stream, "g")).PendingMessageCount == 0, Timeout, () => "still pending");
        }
        finally
        {
            await TestHosts.StopAllAsync(replacement);
        }
    }
}
