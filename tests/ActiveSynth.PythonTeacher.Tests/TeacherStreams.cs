using ActiveSynth.Hosting;
using System.Diagnostics;
using System.Globalization;
using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Messaging;
using ActiveSynth.Messaging.Requests;
using ActiveSynth.Testing;
using Google.Protobuf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace ActiveSynth.PythonTeacher.Tests;

/// <summary>
/// The Selection side of the Teacher's streams, for checking any Teacher implementation through Redis alone: a requester host
/// (ActiveSynth.Messaging's publisher and <see cref="RequestClient"/>, replies stored by group <c>selection</c>, as Selection does),
/// request builders, and readers of the result, probe and dead-letter streams.
/// </summary>
public sealed class TeacherStreams : IAsyncDisposable
{
    public static readonly RequestRoute Generate = new(Streams.GenerateRequests, Streams.GenerateResults);
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);

    private readonly IHost _requester;

    private TeacherStreams(IHost requester, IConnectionMultiplexer redis)
    {
        _requester = requester;
        Redis = redis;
    }

    public IConnectionMultiplexer Redis { get; }

    public IDatabase Db => Redis.GetDatabase();

    public IStreamPublisher Publisher => _requester.Services.GetRequiredService<IStreamPublisher>();

    public RequestClient Client => _requester.Services.GetRequiredService<RequestClient>();

    /// <summary>The requesting side on <paramref name="redisConnectionString"/>; <paramref name="trustedCaPath"/> for a TLS server from a deployment CA.</summary>
    public static async Task<TeacherStreams> StartAsync(string redisConnectionString, string? trustedCaPath = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redisConnectionString,
            ["Messaging:Consumers:selection:PollInterval"] = "00:00:00.050",
            ["Messaging:Requests:ReplyPollInterval"] = "00:00:00.100",
            ["Messaging:Requests:DeadLetterCheckInterval"] = "00:00:00.500",
            ["Security:TrustedCaPath"] = trustedCaPath,
        });
        builder.AddRedis(); // the services' own Redis registration (Aspire's client)
        builder.AddReplies<GenerateChunkResult>(Generate, ConsumerGroups.Selection);
        var host = builder.Build();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StartAsync(cts.Token);
        return new TeacherStreams(host, host.Services.GetRequiredService<IConnectionMultiplexer>());
    }

    /// <summary>The chunk key Selection uses: <c>&lt;run&gt;/&lt;round&gt;/generate/&lt;first slot&gt;-&lt;last slot&gt;x&lt;count&gt;</c>.</summary>
    public static string ChunkId(string runId, int round, int count) =>
        string.Create(CultureInfo.InvariantCulture, $"{runId}/{round}/generate/0-{count - 1}x{count}");

    /// <summary>A round's chunk of <paramref name="count"/> generations like Selection publishes it: seeds of procedural families,
    /// a reservation, lineage, deterministic sample ids.</summary>
    public static GenerateChunk Chunk(string runId, int round, int count, TeacherKind kind, string family = "arith")
    {
        var seeds = TaskSetGenerator.Generate([TaskFamilyRegistry.Default.Get(family)], 1, 2, count, 7, "seed");
        var chunk = new GenerateChunk { RunId = runId, Round = round };
        for (var slot = 0; slot < count; slot++)
        {
            var seed = seeds[slot];
            chunk.Requests.Add(new GenerateRequest
            {
                RunId = runId,
                Round = round,
                Seed = new SeedItem { Id = seed.Id, Family = seed.Family, Difficulty = seed.Difficulty, Question = seed.Question, Answer = seed.Answer },
                Attempt = 1,
                CallKind = TeacherCallKind.QuestionAndSolution,
                Reserved = new BudgetReservation { ReservationId = $"{runId}-r{round}-s{slot}", TeacherCalls = 2, TeacherTokens = 2000 },
                Teacher = new TeacherSpec { Kind = kind, MaxCompletionTokens = 256, RandomSeed = 11 },
                Slot = slot,
                Lineage = new SampleLineage { Strategy = "random", StrategyScore = 0.5 },
                SampleId = string.Create(CultureInfo.InvariantCulture, $"{runId}-r{round}-s{slot}-a1"),
            });
        }
        return chunk;
    }

    public Task<GenerateChunkResult> RequestAsync(GenerateChunk chunk, string id, TimeSpan? timeout = null) =>
        Client.RequestAsync<GenerateChunk, GenerateChunkResult>(Generate, chunk.RunId, id, chunk, timeout ?? ReplyTimeout, default);

    /// <summary>Entries on <paramref name="stream"/> whose <c>id</c> field is <paramref name="id"/>.</summary>
    public async Task<StreamEntry[]> EntriesAsync(string stream, string id) =>
        (await Db.StreamRangeAsync(stream)).Where(e => e[StreamEntryFields.Id] == id).ToArray();

    public static T Decode<T>(StreamEntry entry) where T : IMessage<T>, new() =>
        new MessageParser<T>(() => new T()).ParseFrom((byte[])entry[StreamEntryFields.Payload]!);

    /// <summary>Waits until group <c>teacher</c> has read every entry of <paramref name="stream"/> and holds none pending.</summary>
    public async Task WaitSettledAsync(string stream, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var last = (await Db.StreamRangeAsync(stream, "-", "+", 1, Order.Descending)).FirstOrDefault();
            var group = (await Db.StreamGroupInfoAsync(stream)).FirstOrDefault(g => g.Name == ConsumerGroups.Teacher);
            if (group.Name is not null && group.PendingMessageCount == 0 && (last.IsNull || group.LastDeliveredId == last.Id.ToString()))
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"group teacher on {stream} did not settle: pending {group.PendingMessageCount}, last delivered {group.LastDeliveredId}, last entry {last.Id}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Waits for an entry with idempotency id <paramref name="id"/> on <paramref name="stream"/>.</summary>
    public async Task<StreamEntry> WaitForEntryAsync(string stream, string id, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var found = await EntriesAsync(stream, id);
            if (found.Length > 0)
            {
                return found[0];
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no entry with id '{id}' on {stream} within {timeout.TotalSeconds:0} s");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Runs <paramref name="publish"/> inside a sampled span, so the publisher injects its trace context; returns the trace id.</summary>
    public static async Task<string> InTraceAsync(Func<Task> publish)
    {
        using var source = new ActivitySource("ActiveSynth.PythonTeacher.Tests");
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var activity = source.StartActivity("selection round", ActivityKind.Internal)
            ?? throw new InvalidOperationException("no span was started");
        await publish();
        return activity.TraceId.ToHexString();
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _requester.StopAsync(cts.Token);
        _requester.Dispose();
    }
}
