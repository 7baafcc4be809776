using System.Collections.Concurrent;
using System.Diagnostics;
using ActiveSynth.Messaging.Tests.Support;
using ActiveSynth.Testing;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace ActiveSynth.Messaging.Tests;

/// <summary>Delivery guarantees of the consumer against a real redis-server.</summary>
[Collection(RedisCollection.Name)]
public sealed class ConsumerTests(RedisServerFixture redis) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _stream = $"test:{Guid.NewGuid():N}";
    private ConnectionMultiplexer _direct = null!;
    private IHost _publisherHost = null!;

    private IDatabase Db => _direct.GetDatabase();
    private IStreamPublisher Publisher => _publisherHost.Services.GetRequiredService<IStreamPublisher>();

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
    public async Task An_idle_consumer_is_woken_by_the_publisher_instead_of_waiting_for_its_poll()
    {
        var handled = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = new Stopwatch();
        var probe = new Probe { Behavior = (_, _, _) => { handled.TrySetResult(clock.Elapsed); return Task.CompletedTask; } };
        // A poll far longer than the test waits: only the wake signal can deliver the entry in time.
        var host = await TestHosts.StartConsumerAsync(redis.ConnectionString, _stream, probe, o =>
        {
            o.PollInterval = TimeSpan.FromSeconds(50);
            o.ClaimIdleTime = TimeSpan.FromMinutes(2);
        });
        try
        {
            await Task.Delay(500); // the consumer has read the empty stream and waits
            clock.Start();
            await Publisher.PublishAsync(_stream, new StringValue { Value = "wake" }, "run1", "run1/wake");

            var latency = await handled.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(latency < TimeSpan.FromSeconds(5), $"handled after {latency.TotalMilliseconds:0} ms");
        }
        finally
        {
            await TestHosts.StopAllAsync(host);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Consumer_killed_mid_handling_leaves_entry_pending_and_another_consumer_claims_and_completes_it()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probeA = new Probe
        {
            Behavior = async (_, _, ct) =>
            {
                started.TrySetResult();
                await Task.Delay(System.Threading.Timeout.Infinite, ct);
            },
        };
        var hostA = await TestHosts.StartConsumerAsync(redis.ConnectionString, _stream, probeA, o => o.ConsumerName = "A");
        await Publisher.PublishAsync(_stream, new StringValue { Value = "work" }, "run1", "run1/work");
        await started.Task.WaitAsync(Timeout);

        var pending = await Db.StreamPendingMessagesAsync(_stream, "g", 10, RedisValue.Null);
        Assert.Equal("A", Assert.Single(pending).ConsumerName.ToString());

        // Kill A: its connection goes away mid-handler (no heartbeat, no ack), then the process stops.
        await hostA.Services.GetRequiredService<IConnectionMultiplexer>().CloseAsync(allowCommandsToComplete: false);
        await TestHosts.StopAllAsync(hostA);
        Assert.Equal(1, (await Db.StreamPendingAsync(_stream, "g")).PendingMessageCount);

        var handledByB = new ConcurrentBag<StreamMessage<StringValue>>();
        var probeB = new Probe
        {
            Behavior = async (m, sp, _) =>
            {
                await sp.GetRequiredService<IIdempotencyStore>().ApplyOnceAsync(m, tx => tx.StringIncrementAsync($"{_stream}:effect"));
                handledByB.Add(m);
            },
        };
        var hostB = await TestHosts.StartConsumerAsync(redis.ConnectionString, _stream, probeB, o => o.ConsumerName = "B");
        try
        {
            await Eventually.WaitAsync(async () => (await Db.StreamPendingAsync(_stream, "g")).PendingMessageCount == 0 && !handledByB.IsEmpty,
                Timeout, () => $"B handled {handledByB.Count}");
            var message = Assert.Single(handledByB);
            Assert.Equal("work", message.Payload.Value);
            Assert.Equal("B", message.Consumer);
            Assert.Equal(2, message.Attempt); // A's delivery counted, B's claim is the second
            Assert.Equal(1, (long)await Db.StringGetAsync($"{_stream}:effect"));
        }
        finally
        {
            await TestHosts.StopAllAsync(hostB);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task An_entry_whose_consumers_keep_dying_is_dead_lettered_once_attempts_are_used_up()
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
        var hostA = await TestHosts.StartConsumerAsync(redis.ConnectionString, _stream, hangs, o => o.MaxAttempts = 1);
        var entryId = await Publisher.PublishAsync(_stream, new StringValue { Value = "kills its consumer" }, "r", "r/k");
        await started.Task.WaitAsync(Timeout);
        await hostA.Services.GetRequiredService<IConnectionMultiplexer>().CloseAsync(allowCommandsToComplete: false);
        await TestHosts.StopAllAsync(hostA);

        var ran = 0;
        var hostB = await TestHosts.StartConsumerAsync(redis.ConnectionString, _stream,
            new Probe { Behavior = (_, _, _) => { Interlocked.Increment(ref ran); return Task.CompletedTask; } }, o => o.MaxAttempts = 1);
        try
        {
            var dead = StreamKeys.DeadLetter(_stream);
            await Eventually.WaitAsync(async () => await Db.StreamLengthAsync(dead) == 1, Timeout, () => "not dead-lettered");
            var letter = Assert.Single(await Db.StreamRangeAsync(dead));
            Assert.Equal(entryId, (string)letter[StreamEntryFields.SourceEntryId]!);
            Assert.StartsWith("gave up after 1 deliveries that did not complete", (string)letter[StreamEntryFields.Error]!);
            Assert.Equal(0, ran); // not handed to B's handler once attempts were used up
            Assert.Equal(0, (await Db.StreamPendingAsync(_stream, "g")).PendingMessageCount);
        }
        finally
        {
            await TestHosts.StopAllAsync(hostB);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Poison_messages_go_to_the_dead_letter_stream_after_max_attempts_while_others_keep_flowing()
    {
        var failAttempts = new ConcurrentQueue<(int Attempt, long At)>();
        var good = new ConcurrentDictionary<string, int>();
        long lastGoodAt = 0;
        var probe = new Probe
        {
            Behavior = (m, _, _) =>
            {
                if (m.Payload.Value == "fail")
                {
                    failAttempts.Enqueue((m.Attempt, Stopwatch.GetTimestamp()));
                    throw new InvalidOperationException("boom 42");
                }
                good.AddOrUpdate(m.Id, 1, (_, n) => n + 1);
                Interlocked.Exchange(ref lastGoodAt, Stopwatch.GetTimestamp());
                return Task.CompletedTask;
            },
        };
        var host = await TestHosts.StartConsumerAsync(redis.ConnectionString, _stream, probe, o =>
        {
            o.MaxAttempts = 3;
            o.ClaimIdleTime = TimeSpan.FromMilliseconds(300);
            o.BatchSize = 8;
        });
        try
        {
            var failId = await Publisher.PublishAsync(_stream, new StringValue { Value = "fail" }, "r", "r/fail");
            for (var i = 0; i < 50; i++)
            {
                await Publisher.PublishAsync(_stream, new StringValue { Value = $"ok {i}" }, "r", $"r/ok/{i}");
            }
            var wrongTypeId = await Publisher.PublishAsync(_stream, new Int32Value { Value = 7 }, "r", "r/int");
            var garbageId = (string)(await Db.StreamAddAsync(_stream, [
                new NameValueEntry(StreamEntryFields.Type, StringValue.Descriptor.FullName),
                new NameValueEntry(StreamEntryFields.Payload, new byte[] { 0x0A, 0x05, 0x61 }), // says 5 bytes, has 1
                new NameValueEntry(StreamEntryFields.Id, "r/garbage"),
            ]))!;
            var noIdId = (string)(await Db.StreamAddAsync(_stream, [
                new NameValueEntry(StreamEntryFields.Type, StringValue.Descriptor.FullName),
                new NameValueEntry(StreamEntryFields.Payload, new StringValue { Value = "x" }.ToByteArray()),
            ]))!;

            var dead = StreamKeys.DeadLetter(_stream);
            await Eventually.WaitAsync(async () => await Db.StreamLengthAsync(dead) == 4 && good.Count == 50,
                Timeout, () => $"dead letters so far: {Db.StreamLength(dead)}, good: {good.Count}");

            Assert.All(good.Values, n => Assert.Equal(1, n));
            Assert.Equal([1, 2, 3], failAttempts.Select(a => a.Attempt));
            // The 50 good ones were all done before the failing one even had its last try.
            Assert.True(Interlocked.Read(ref lastGoodAt) < failAttempts.Last().At);

            var letters = (await Db.StreamRangeAsync(dead)).ToDictionary(e => (string)e[StreamEntryFields.SourceEntryId]!);
            var failed = letters[failId];
            Assert.Equal("System.InvalidOperationException: boom 42", (string)failed[StreamEntryFields.Error]!);
            Assert.Equal(3, (int)failed[StreamEntryFields.Deliveries]);
            Assert.Equal("r/fail", (string)failed[StreamEntryFields.Id]!);
            Assert.Equal(_stream, (string)failed[StreamEntryFields.SourceStream]!);
            Assert.Equal(new StringValue { Value = "fail" }.ToByteArray(), (byte[])failed[StreamEntryFields.Payload]!);
            Assert.StartsWith("poison: type 'google.protobuf.Int32Value' is not 'google.protobuf.StringValue'", (string)letters[wrongTypeId][StreamEntryFields.Error]!);
            Assert.Equal(1, (int)letters[wrongTypeId][StreamEntryFields.Deliveries]); // poison is not retried
            Assert.StartsWith("poison: payload does not parse", (string)letters[garbageId][StreamEntryFields.Error]!);
            Assert.StartsWith("poison: no 'id' field", (string)letters[noIdId][StreamEntryFields.Error]!);

            await Eventually.WaitAsync(async () => (await Db.StreamPendingAsync(_stream, "g")).PendingMessageCount == 0,
                Timeout, () => "entries still pending");
        }
        finally
        {
            await TestHosts.StopAllAsync(host);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Duplicate_delivery_applies_the_effect_once()
    {
        var calls = new ConcurrentDictionary<string, int>();
        var applyResults = new ConcurrentQueue<bool>();
        var probe = new Probe
        {
            Behavior = async (m, sp, _) =>
            {
                var call = calls.AddOrUpdate(m.Id, 1, (_, n) => n + 1);
                if (m.Payload.Value == "redelivered")
                {
                    var store = sp.GetRequiredService<IIdempotencyStore>();
                    applyResults.Enqueue(await store.ApplyOnceAsync(m, tx => tx.HashIncrementAsync($"{_stream}:effects", m.Id)));
                    if (call == 1)
                    {
                        // The effect is durable but the handler "crashes" before the ack: the entry is redelivered.
                        throw new IOException("lost before ack");
                    }
                }
            },
        };
        var host = await TestHosts.StartConsumerAsync(redis.ConnectionString, _stream, probe, o => o.ClaimIdleTime = TimeSpan.FromMilliseconds(300));
        try
        {
            // 1. The same entry delivered twice (retry after a failure that came after the effect).
            await Publisher.PublishAsync(_stream, new StringValue { Value = "redelivered" }, "r", "r/a");
            await Eventually.WaitAsync(() => applyResults.Count == 2, Timeout, () => $"apply calls: {applyResults.Count}");
            Assert.Equal([true, false], applyResults);
            Assert.Equal(1, (long)await Db.HashGetAsync($"{_stream}:effects", "r/a"));

            // 2. The same id published three times (a producer retried): the handler runs once.
            await Publisher.PublishAsync(_stream, new StringValue { Value = "dup" }, "r", "r/b");
            await Eventually.WaitAsync(() => calls.ContainsKey("r/b"), Timeout, () => "first copy not handled");
            await Publisher.PublishAsync(_stream, new StringValue { Value = "dup" }, "r", "r/b"); // after it was handled
            await Publisher.PublishAsync(_stream, new StringValue { Value = "dup" }, "r", "r/c");
            await Publisher.PublishAsync(_stream, new StringValue { Value = "dup" }, "r", "r/c"); // same batch as its twin
            await Eventually.WaitAsync(async () => (await Db.StreamGroupInfoAsync(_stream))[0] is { PendingMessageCount: 0, Lag: 0 },
                Timeout, () => "entries not all acked");
            Assert.Equal(1, calls["r/b"]);
            Assert.Equal(1, calls["r/c"]);
            Assert.Equal(2, calls["r/a"]);
        }
        finally
        {
            await TestHosts.StopAllAsync(host);
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task Four_consumers_ten_thousand_messages_none_lost_none_applied_twice()
    {
        const int count = 10_000;
        var effects = $"{_stream}:effects";
        var invocations = new ConcurrentDictionary<string, int>();
        var byConsumer = new ConcurrentDictionary<string, int>();
        var probe = new Probe
        {
            Behavior = async (m, sp, _) =>
            {
                var call = invocations.AddOrUpdate(m.Id, 1, (_, n) => n + 1);
                byConsumer.AddOrUpdate(m.Consumer, 1, (_, n) => n + 1);
                await sp.GetRequiredService<IIdempotencyStore>().ApplyOnceAsync(m, tx => tx.HashIncrementAsync(effects, m.Id));
                // 1 % fail after their effect on the first try, so redeliveries really happen.
                if (call == 1 && int.Parse(m.Payload.Value, System.Globalization.CultureInfo.InvariantCulture) % 100 == 7)
                {
                    throw new TimeoutException("flaky downstream");
                }
            },
        };
        var consumers = new IHost[4];
        for (var i = 0; i < consumers.Length; i++)
        {
            consumers[i] = await TestHosts.StartConsumerAsync(redis.ConnectionString, _stream, probe, o =>
            {
                o.ConsumerName = $"c{i}";
                o.BatchSize = 32;
                o.Concurrency = i % 2 == 0 ? 1 : 4; // both the sequential and the parallel handler paths
                o.ClaimIdleTime = TimeSpan.FromMilliseconds(500);
            });
        }
        try
        {
            for (var chunk = 0; chunk < count; chunk += 500)
            {
                await Task.WhenAll(Enumerable.Range(chunk, 500).Select(i =>
                    Publisher.PublishAsync(_stream, new StringValue { Value = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }, "r", $"m/{i}")));
            }
            await Eventually.WaitAsync(async () => await Db.HashLengthAsync(effects) == count
                    && (await Db.StreamGroupInfoAsync(_stream))[0] is { PendingMessageCount: 0, Lag: 0 },
                TimeSpan.FromSeconds(60), () => $"applied {Db.HashLength(effects)} of {count}");

            var applied = await Db.HashGetAllAsync(effects);
            Assert.Equal(count, applied.Length);
            Assert.All(applied, e => Assert.Equal(1, (long)e.Value));
            Assert.Equal(Enumerable.Range(0, count).Select(i => $"m/{i}").Order(), applied.Select(e => (string)e.Name!).Order());
            // Every injected failure was redelivered. Under load a slow handler's entry can also be claimed by
            // another consumer (at-least-once delivery), so more redeliveries are allowed; the effect stays applied once.
            var injected = Enumerable.Range(0, count).Where(i => i % 100 == 7).Select(i => $"m/{i}").ToList();
            Assert.All(injected, id => Assert.True(invocations[id] >= 2, $"{id} was not redelivered"));
            Assert.Equal(0, await Db.StreamLengthAsync(StreamKeys.DeadLetter(_stream)));
            Assert.Equal(4, byConsumer.Count(kv => kv.Value > 0)); // all four competed for the work
        }
        finally
        {
            await TestHosts.StopAllAsync(consumers);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_handler_slower_than_the_claim_idle_time_keeps_its_entry()
    {
        var runs = new ConcurrentQueue<StreamMessage<StringValue>>();
        var probe = new Probe
        {
            Behavior = async (m, _, ct) =>
            {
                runs.Enqueue(m);
                await Task.Delay(TimeSpan.FromMilliseconds(1500), ct); // 5x the claim idle time
            },
        };
        var options = (Action<StreamConsumerOptions>)(o => o.ClaimIdleTime = TimeSpan.FromMilliseconds(300));
        var first = await TestHosts.StartConsumerAsync(redis.ConnectionString, _stream, probe, options);
        var second = await TestHosts.StartConsumerAsync(redis.ConnectionString, _stream, probe, options);
        try
        {
            await Publisher.PublishAsync(_stream, new StringValue { Value = "slow" }, "r", "r/slow");
            await Eventually.WaitAsync(async () => !runs.IsEmpty && (await Db.StreamPendingAsync(_stream, "g")).PendingMessageCount == 0,
                Timeout, () => "slow entry not acked");
            await Task.Delay(500); // a stolen copy would have started by now
            var run = Assert.Single(runs);
            Assert.Equal(1, run.Attempt);
        }
        finally
        {
            await TestHosts.StopAllAsync(first, second);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Trace_context_survives_a_hop()
    {
        using var testSource = new ActivitySource("ActiveSynth.Messaging.Tests");
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is MessagingDiagnostics.Name or "ActiveSynth.Messaging.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var seen = new TaskCompletionSource<(ActivityTraceId TraceId, ActivitySpanId ParentSpanId, ActivityKind Kind, string? TraceState)>(
            TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new Probe
        {
            Behavior = (_, _, _) =>
            {
                var current = Activity.Current!;
                seen.TrySetResult((current.TraceId, current.ParentSpanId, current.Kind, current.TraceStateString));
                return Task.CompletedTask;
            },
        };
        var host = await TestHosts.StartConsumerAsync(redis.ConnectionString, _stream, probe);
        try
        {
            ActivityTraceId rootTraceId;
            using (var root = testSource.StartActivity("round")!)
            {
                root.TraceStateString = "as=1";
                rootTraceId = root.TraceId;
                await Publisher.PublishAsync(_stream, new StringValue { Value = "traced" }, "r", "r/t");
            }
            var consumer = await seen.Task.WaitAsync(Timeout);
            var producer = Assert.Single(stopped, a => a.TraceId == rootTraceId && a.Kind == ActivityKind.Producer);

            Assert.Equal(rootTraceId, consumer.TraceId);
            Assert.Equal(producer.SpanId, consumer.ParentSpanId);
            Assert.Equal(ActivityKind.Consumer, consumer.Kind);
            Assert.Equal("as=1", consumer.TraceState);
            Assert.Equal($"send {_stream}", producer.DisplayName);
        }
        finally
        {
            await TestHosts.StopAllAsync(host);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_publish_outside_any_span_starts_no_trace_and_its_consumer_span_starts_one()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == MessagingDiagnostics.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var seen = new TaskCompletionSource<(ActivityKind Kind, ActivitySpanId ParentSpanId)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new Probe
        {
            Behavior = (_, _, _) =>
            {
                var current = Activity.Current!;
                seen.TrySetResult((current.Kind, current.ParentSpanId));
                return Task.CompletedTask;
            },
        };
        var host = await TestHosts.StartConsumerAsync(redis.ConnectionString, _stream, probe);
        try
        {
            Activity.Current = null; // a background publisher, like a run's events between its stages
            await Publisher.PublishAsync(_stream, new StringValue { Value = "untraced" }, "r", "r/u");
            var consumer = await seen.Task.WaitAsync(Timeout);

            Assert.Equal(ActivityKind.Consumer, consumer.Kind);
            Assert.Equal(default, consumer.ParentSpanId);
            Assert.DoesNotContain(stopped, a => a.Kind == ActivityKind.Producer && Equals(a.GetTagItem("messaging.destination.name"), _stream));
        }
        finally
        {
            await TestHosts.StopAllAsync(host);
        }
    }
}
