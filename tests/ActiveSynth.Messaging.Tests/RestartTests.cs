using ActiveSynth.Messaging.Tests.Support;
using ActiveSynth.Testing;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace ActiveSynth.Messaging.Tests;

/// <summary>Consumers survive a redis-server crash and restart (AOF) in the middle of the work.</summary>
[Collection(RedisCollection.Name)]
public sealed class RestartTests
{
    private const string Stream = "test:restart";

    [Fact(Timeout = 90_000)]
    public async Task Consumers_reconnect_after_redis_server_is_killed_and_restarted_and_finish_exactly_once()
    {
        await using var server = await RedisServerProcess.StartAsync(); // its own: this test kills it
        var effects = $"{Stream}:effects";
        var probe = new Probe
        {
            Behavior = (m, sp, _) => sp.GetRequiredService<IIdempotencyStore>().ApplyOnceAsync(m, tx => tx.HashIncrementAsync(effects, m.Id)),
        };
        var consumers = new[]
        {
            await TestHosts.StartConsumerAsync(server.ConnectionString, Stream, probe, o => o.ConsumerName = "c0"),
            await TestHosts.StartConsumerAsync(server.ConnectionString, Stream, probe, o => o.ConsumerName = "c1"),
        };
        var publisherHost = await TestHosts.StartPublisherAsync(server.ConnectionString);
        var publisher = publisherHost.Services.GetRequiredService<IStreamPublisher>();
        var direct = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",abortConnect=false,allowAdmin=true");
        try
        {
            // With appendfsync everysec a SIGKILL can lose the last second of acknowledged writes (a write to the AOF can be
            // postponed while a slow fsync runs): a lost XADD is a message nobody can deliver, which is the crash the fixture
            // mimics, not what this test is about. Until the kill every acknowledged write is in the AOF.
            await direct.GetServer(direct.GetEndPoints()[0]).ConfigSetAsync("appendfsync", "always");
            await PublishAsync(publisher, 0, 3000);
            // Give consumers a head start.
            await Eventually.WaitAsync(async () => await direct.GetDatabase().HashLengthAsync(effects) >= 300,
                TimeSpan.FromSeconds(30), () => "consumers did not start");

            await server.KillAsync(); // SIGKILL in the middle of the work
            await Task.Delay(500);
            await server.RestartAsync();

            await WithRetryAsync(() => PublishAsync(publisher, 3000, 5000), TimeSpan.FromSeconds(30));
            await Eventually.WaitAsync(async () =>
                {
                    try
                    {
                        var db = direct.GetDatabase();
                        return await db.HashLengthAsync(effects) == 5000
                            && (await db.StreamGroupInfoAsync(Stream))[0] is { PendingMessageCount: 0, Lag: 0 };
                    }
                    catch (RedisException)
                    {
                        return false;
                    }
                },
                TimeSpan.FromSeconds(60), () => $"applied {direct.GetDatabase().HashLength(effects)} of 5000; {Diagnose(direct.GetDatabase())}\n{server.LogTail()}");

            var applied = await direct.GetDatabase().HashGetAllAsync(effects);
            Assert.Equal(5000, applied.Length);
            Assert.All(applied, e => Assert.Equal(1, (long)e.Value));
            Assert.Equal(0, await direct.GetDatabase().StreamLengthAsync(StreamKeys.DeadLetter(Stream)));
            Assert.Contains("DB loaded from append only file", server.LogTail(200), StringComparison.Ordinal);
        }
        finally
        {
            await TestHosts.StopAllAsync([.. consumers, publisherHost]);
            await direct.DisposeAsync();
        }
    }

    private static async Task PublishAsync(IStreamPublisher publisher, int from, int to)
    {
        for (var chunk = from; chunk < to; chunk += 250)
        {
            await Task.WhenAll(Enumerable.Range(chunk, Math.Min(250, to - chunk)).Select(i =>
                publisher.PublishAsync(Stream, new StringValue { Value = $"{i}" }, "r", $"m/{i}")));
        }
    }

    /// <summary>Where the missing entries are: dead-lettered (with the first error) or still pending / unread in the group.</summary>
    private static string Diagnose(IDatabase db)
    {
        var dead = db.StreamRange(StreamKeys.DeadLetter(Stream), "-", "+", 5);
        var group = db.StreamGroupInfo(Stream).FirstOrDefault();
        var firstError = dead.Length > 0 ? $": {dead[0][StreamEntryFields.Error]}" : "";
        return $"{db.StreamLength(StreamKeys.DeadLetter(Stream))} dead-lettered{firstError}; group pending {group.PendingMessageCount}, lag {group.Lag}";
    }

    /// <summary>Retries while the client has not reconnected yet; republishing is safe because ids are idempotency keys.</summary>
    private static async Task WithRetryAsync(Func<Task> action, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            try
            {
                await action();
                return;
            }
            catch (RedisException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}
