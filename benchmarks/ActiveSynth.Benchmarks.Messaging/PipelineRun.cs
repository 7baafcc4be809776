using ActiveSynth.Hosting;
using System.Buffers.Binary;
using System.Diagnostics;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace ActiveSynth.Benchmarks.Messaging;

/// <summary>Shared by the consumer hosts of one run: records when each message reached its handler.</summary>
internal sealed class HopRecorder(int count)
{
    private readonly double[] _latencyMs = new double[count];
    private int _handled;

    public TaskCompletionSource AllHandled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Handled => Volatile.Read(ref _handled);

    public double[] LatenciesMs => _latencyMs;

    public void Record(int index, long publishedAt)
    {
        _latencyMs[index] = Stopwatch.GetElapsedTime(publishedAt).TotalMilliseconds;
        if (Interlocked.Increment(ref _handled) == _latencyMs.Length)
        {
            AllHandled.TrySetResult();
        }
    }
}

/// <summary>The benchmark's handler: reads the publish timestamp from the payload and records the hop.</summary>
internal sealed class HopHandler(HopRecorder recorder) : ActiveSynth.Messaging.IStreamHandler<BytesValue>
{
    public Task HandleAsync(ActiveSynth.Messaging.StreamMessage<BytesValue> message, CancellationToken ct)
    {
        var span = message.Payload.Value.Span;
        recorder.Record(BinaryPrimitives.ReadInt32LittleEndian(span[8..]), BinaryPrimitives.ReadInt64LittleEndian(span));
        return Task.CompletedTask;
    }
}

/// <summary>
/// publish → consume → ack through the library: N messages of 1 KiB published with a bounded window of
/// outstanding XADDs while <c>consumers</c> consumer hosts (each its own connection, like replicas) drain them.
/// Throughput counts until every entry is acked (group pending 0, lag 0).
/// </summary>
internal static class PipelineRun
{
    public sealed record Result(int Consumers, int Messages, double ElapsedSeconds, double MessagesPerSecond, double PublishSeconds,
        double P50Ms, double P99Ms, double MaxMs);

    public static async Task<Result> RunAsync(string connectionString, string stream, int consumers, int messages, int payloadBytes,
        int window, Action<ActiveSynth.Messaging.StreamConsumerOptions> configure, TimeSpan? pace = null)
    {
        var recorder = new HopRecorder(messages);
        var hosts = new List<IHost>();
        for (var i = 0; i < consumers; i++)
        {
            hosts.Add(await StartHostAsync(connectionString, b =>
            {
                b.Services.AddSingleton(recorder);
                ActiveSynth.Messaging.MessagingHostingExtensions.AddStreamConsumer<BytesValue, HopHandler>(b, stream, "bench", configure);
            }));
        }
        var publisherHost = await StartHostAsync(connectionString, b => ActiveSynth.Messaging.MessagingHostingExtensions.AddStreamPublisher(b));
        var publisher = publisherHost.Services.GetRequiredService<ActiveSynth.Messaging.IStreamPublisher>();
        var db = publisherHost.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        try
        {
            var filler = new byte[payloadBytes - 12];
            Random.Shared.NextBytes(filler);
            using var slots = new SemaphoreSlim(window);
            var inFlight = new List<Task>(messages);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < messages; i++)
            {
                await slots.WaitAsync();
                var body = new byte[payloadBytes];
                BinaryPrimitives.WriteInt64LittleEndian(body, Stopwatch.GetTimestamp());
                BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(8), i);
                filler.CopyTo(body.AsSpan(12));
                var publish = publisher.PublishAsync(stream, new BytesValue { Value = UnsafeByteOperations.UnsafeWrap(body) }, "bench", $"bench/{stream}/{i}");
                inFlight.Add(publish.ContinueWith(_ => slots.Release(), TaskScheduler.Default));
                if (pace is { } gap)
                {
                    await publish;
                    await Task.Delay(gap);
                }
            }
            await Task.WhenAll(inFlight);
            var publishSeconds = clock.Elapsed.TotalSeconds;
            await recorder.AllHandled.Task.WaitAsync(TimeSpan.FromMinutes(5));
            while ((await db.StreamGroupInfoAsync(stream))[0] is not { PendingMessageCount: 0, Lag: 0 })
            {
                await Task.Delay(1);
            }
            var elapsed = clock.Elapsed.TotalSeconds;
            var sorted = recorder.LatenciesMs.Order().ToArray();
            return new Result(consumers, messages, elapsed, messages / elapsed, publishSeconds,
                Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted[^1]);
        }
        finally
        {
            foreach (var host in hosts.Append(publisherHost))
            {
                await host.StopAsync();
                host.Dispose();
            }
            await using var cleanup = await ConnectionMultiplexer.ConnectAsync(connectionString);
            await cleanup.GetDatabase().KeyDeleteAsync(stream);
            // Drop the done markers so the server's memory does not carry over into the next run.
            var server = cleanup.GetServers()[0];
            var keys = new List<RedisKey>();
            await foreach (var key in server.KeysAsync(pattern: $"{stream}:*", pageSize: 1000))
            {
                keys.Add(key);
            }
            foreach (var chunk in keys.Chunk(1000))
            {
                await cleanup.GetDatabase().KeyDeleteAsync(chunk);
            }
        }
    }

    /// <summary>Publish only (no consumer): what IStreamPublisher costs over raw XADD.</summary>
    public static async Task<double> PublishOnlyAsync(string connectionString, string stream, int messages, int payloadBytes, int window)
    {
        var host = await StartHostAsync(connectionString, b => ActiveSynth.Messaging.MessagingHostingExtensions.AddStreamPublisher(b));
        try
        {
            var publisher = host.Services.GetRequiredService<ActiveSynth.Messaging.IStreamPublisher>();
            var body = new BytesValue { Value = ByteString.CopyFrom(new byte[payloadBytes]) };
            using var slots = new SemaphoreSlim(window);
            var inFlight = new List<Task>(messages);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < messages; i++)
            {
                await slots.WaitAsync();
                inFlight.Add(publisher.PublishAsync(stream, body, "bench", $"p/{i}").ContinueWith(_ => slots.Release(), TaskScheduler.Default));
            }
            await Task.WhenAll(inFlight);
            var rate = messages / clock.Elapsed.TotalSeconds;
            await host.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase().KeyDeleteAsync(stream);
            return rate;
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    private static async Task<IHost> StartHostAsync(string connectionString, Action<HostApplicationBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:redis"] = connectionString });
        builder.AddRedis(); // the services' own Redis registration (Aspire's client)
        configure(builder);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
