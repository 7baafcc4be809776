using ActiveSynth.Messaging.Tests.Support;
using ActiveSynth.Testing;
using StackExchange.Redis;

namespace ActiveSynth.Messaging.Tests;

/// <summary>Streams are trimmed only past what every consumer group has acked.</summary>
[Collection(RedisCollection.Name)]
public sealed class TrimmerTests(RedisServerFixture redis)
{
    [Fact(Timeout = 30_000)]
    public async Task Trims_only_entries_every_group_has_acked()
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = mux.GetDatabase();
        var stream = $"test:trim:{Guid.NewGuid():N}";
        var ids = new List<RedisValue>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add(await db.StreamAddAsync(stream, "n", i));
        }
        await db.StreamCreateConsumerGroupAsync(stream, "fast", StreamPosition.Beginning);
        await db.StreamCreateConsumerGroupAsync(stream, "slow", StreamPosition.Beginning);
        await db.StreamReadGroupAsync(stream, "fast", "f", StreamPosition.NewMessages, 10);
        await db.StreamAcknowledgeAsync(stream, "fast", [.. ids]);
        await db.StreamReadGroupAsync(stream, "slow", "s", StreamPosition.NewMessages, 10);
        await db.StreamAcknowledgeAsync(stream, "slow", [.. ids.Take(4)]); // entries 4..9 still pending for "slow"

        var trimmer = new StreamTrimmer(mux);
        var first = await trimmer.TrimAcknowledgedAsync(stream, approximate: false);
        Assert.Equal(4, first.Removed);
        Assert.Equal((string)ids[4]!, first.MinId);
        Assert.Equal(ids.Skip(4), (await db.StreamRangeAsync(stream)).Select(e => e.Id));

        await db.StreamAcknowledgeAsync(stream, "slow", [.. ids.Skip(4)]);
        await db.StreamCreateConsumerGroupAsync(stream, "idle", StreamPosition.Beginning); // has read nothing yet
        Assert.Equal(0, (await trimmer.TrimAcknowledgedAsync(stream, approximate: false)).Removed);

        await db.StreamDeleteConsumerGroupAsync(stream, "idle");
        var last = await trimmer.TrimAcknowledgedAsync(stream, approximate: false);
        Assert.Equal(6, last.Removed);
        Assert.Equal(0, await db.StreamLengthAsync(stream));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_stream_without_groups_or_without_key_is_left_alone()
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var stream = $"test:trim:{Guid.NewGuid():N}";
        var trimmer = new StreamTrimmer(mux);
        Assert.Equal(0, (await trimmer.TrimAcknowledgedAsync(stream)).Removed);
        await mux.GetDatabase().StreamAddAsync(stream, "n", 1);
        Assert.Equal(0, (await trimmer.TrimAcknowledgedAsync(stream, approximate: false)).Removed);
        Assert.Equal(1, await mux.GetDatabase().StreamLengthAsync(stream));
    }
}
