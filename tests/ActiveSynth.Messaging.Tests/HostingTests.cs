using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ActiveSynth.Messaging.Tests.Support;
using ActiveSynth.Testing;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Messaging.Tests;

/// <summary>Registration, start-up validation, health and metrics of the hosting extensions.</summary>
[Collection(RedisCollection.Name)]
public sealed class HostingTests(RedisServerFixture redis)
{
    [Fact]
    public void Adding_streams_before_a_redis_connection_fails_saying_how_to_add_one()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TestHosts.Build(null, b => b.AddStreamConsumer<StringValue, ProbeHandler>("s", "g")));
        Assert.Contains("AddRedisClient(\"redis\")", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Invalid_consumer_options_from_configuration_fail_at_start()
    {
        using var host = TestHosts.Build(redis.ConnectionString, b =>
        {
            b.Services.AddSingleton(new Probe());
            b.AddStreamConsumer<StringValue, ProbeHandler>("s", "scoring");
        }, new Dictionary<string, string?> { ["Messaging:Consumers:scoring:BatchSize"] = "0" });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("BatchSize", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Options_bind_from_the_group_section()
    {
        using var host = TestHosts.Build(redis.ConnectionString, b =>
        {
            b.Services.AddSingleton(new Probe());
            b.AddStreamConsumer<StringValue, ProbeHandler>("bind-test", "teacher");
        }, new Dictionary<string, string?>
        {
            ["Messaging:Consumers:teacher:BatchSize"] = "7",
            ["Messaging:Consumers:teacher:ClaimIdleTime"] = "00:00:09",
        });
        var options = host.Services.GetRequiredService<IOptionsMonitor<StreamConsumerOptions>>().Get("bind-test|teacher");
        Assert.Equal(7, options.BatchSize);
        Assert.Equal(TimeSpan.FromSeconds(9), options.ClaimIdleTime);
        Assert.Matches($"^{Environment.MachineName}-{Environment.ProcessId}-[0-9a-f]{{8}}$", options.ConsumerName);
    }

    [Fact(Timeout = 30_000)]
    public async Task Counters_and_group_gauges_are_reported()
    {
        var stream = $"test:metrics:{Guid.NewGuid():N}";
        var totals = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == MessagingDiagnostics.Name)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "messaging.destination.name" && (string?)tag.Value == stream)
                {
                    var key = instrument.Name;
                    if (instrument is ObservableGauge<long>)
                    {
                        totals[key] = value; // last observation
                    }
                    else
                    {
                        totals.AddOrUpdate(key, value, (_, n) => n + value);
                    }
                }
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "messaging.destination.name" && (string?)tag.Value == stream)
                {
                    totals.AddOrUpdate(instrument.Name, 1, (_, n) => n + 1); // count of recordings
                }
            }
        });
        listener.Start();

        var handled = 0;
        var probe = new Probe { Behavior = (_, _, _) => { Interlocked.Increment(ref handled); return Task.CompletedTask; } };
        var host = await TestHosts.StartAsync(redis.ConnectionString, b =>
        {
            b.Services.AddSingleton(probe);
            b.AddStreamPublisher();
            b.AddStreamConsumer<StringValue, ProbeHandler>(stream, "g", o => o.PollInterval = TimeSpan.FromMilliseconds(10));
        }, new Dictionary<string, string?> { ["Messaging:Maintenance:Interval"] = "00:00:00.100" });
        try
        {
            var publisher = host.Services.GetRequiredService<IStreamPublisher>();
            for (var i = 0; i < 5; i++)
            {
                await publisher.PublishAsync(stream, new StringValue { Value = "x" }, "r", $"r/{i}");
            }
            await Eventually.WaitAsync(() =>
                {
                    listener.RecordObservableInstruments();
                    return totals.GetValueOrDefault("activesynth.messaging.acked") == 5
                        && totals.ContainsKey("activesynth.messaging.pending");
                },
                TimeSpan.FromSeconds(20), () => string.Join(", ", totals.Select(kv => $"{kv.Key}={kv.Value}")));

            Assert.Equal(5, totals["activesynth.messaging.published"]);
            Assert.Equal(5, totals["activesynth.messaging.consumed"]);
            Assert.Equal(5, handled);
            Assert.Equal(5, totals["activesynth.messaging.handler.duration"]);
            await Eventually.WaitAsync(() =>
                {
                    listener.RecordObservableInstruments();
                    return totals.GetValueOrDefault("activesynth.messaging.pending", -1) == 0
                        && totals.GetValueOrDefault("activesynth.messaging.lag", -1) == 0;
                },
                TimeSpan.FromSeconds(10), () => string.Join(", ", totals.Select(kv => $"{kv.Key}={kv.Value}")));
        }
        finally
        {
            await TestHosts.StopAllAsync(host);
        }
    }
}
