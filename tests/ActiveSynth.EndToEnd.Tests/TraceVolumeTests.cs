using System.Globalization;
using System.Text.Json;
using ActiveSynth.Contracts.V1;
using Grpc.Core;
using Xunit.Abstractions;

namespace ActiveSynth.EndToEnd.Tests;

/// <summary>
/// What the deployment sends to the dashboard, read back through its telemetry API: an idle deployment (consumers polling empty
/// streams, gauges, lease renewals, trimming) starts next to no traces, and a run's round is one trace that holds every stage in
/// each of the four services in a bounded number of spans, and while a run runs nothing but its rounds (and the calls made to
/// it) starts a trace.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class TraceVolumeTests(AppHostFixture fixture, ITestOutputHelper output)
{
    private const double MaxIdleTracesPerMinute = 2;
    private const int MaxSpansPerRound = 200;

    // Every trace the dashboard keeps (its default cap is 10,000), with all their spans.
    private const string AllTraces = "/api/telemetry/traces?limit=10000";

    // Spans reach the dashboard in export batches (5 s), and Redis command spans after their parent span ended (a drain
    // thread that backs off to 10 s when idle): a window is read this long after it closed.
    private static readonly TimeSpan ExportDelay = TimeSpan.FromSeconds(15);

    private Runs.RunsClient Runs => new(fixture.Channel("selection"));

    // Both halves in one test: the idle window must come before the run (tests of a class run in no fixed order).
    [Fact]
    public async Task An_idle_deployment_starts_almost_no_traces_and_a_round_is_one_trace_through_all_four_services()
    {
        using var http = DashboardClient();

        // Idle: no run of this collection is executing (its tests run one at a time and wait for their runs to finish).
        await Task.Delay(TimeSpan.FromSeconds(5));
        var window = TimeSpan.FromSeconds(30);
        var from = DateTimeOffset.UtcNow;
        await Task.Delay(window);
        var to = DateTimeOffset.UtcNow;
        await Task.Delay(ExportDelay);
        var idle = TracesStartedBetween(await AllSpansAsync(http, AllTraces), from, to);
        var idlePerMinute = idle.Count / window.TotalMinutes;
        output.WriteLine($"idle: {idle.Count} traces started in {window.TotalSeconds:0} s = {idlePerMinute:0.#} per minute");
        PrintRoots(idle);

        // A run of the default run's round size (2 rounds x 64 samples): each round's trace, found by its root span "round r" tagged
        // with the run.
        var runId = $"e2e-trace-{Guid.NewGuid():N}"[..20];
        var runFrom = DateTimeOffset.UtcNow;
        var spec = RunTests.SmallSpec(maxRounds: 2, maxSamples: 128);
        spec.SamplesPerRound = 64;
        await Runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = spec }, deadline: DateTime.UtcNow.AddSeconds(60));
        var state = await WaitUntilFinishedAsync(runId, TimeSpan.FromMinutes(8));
        var runTo = DateTimeOffset.UtcNow;
        Assert.Equal(RunState.Completed, state);
        await Task.Delay(ExportDelay);

        var all = await AllSpansAsync(http, AllTraces);
        var duringRun = TracesStartedBetween(all, runFrom, runTo);
        output.WriteLine($"run: {duringRun.Count} traces started in its {(runTo - runFrom).TotalSeconds:0} s");
        PrintRoots(duringRun);
        var roundTraces = RoundTraces(all, runId);
        output.WriteLine($"run {runId}: round traces {string.Join(", ", roundTraces.Select(r => $"{r.Key}={r.Value}"))}");
        var rounds = new List<(int Round, int Spans, HashSet<string> Services)>();
        foreach (var (round, traceId) in roundTraces.Where(r => r.Key > 0).OrderBy(r => r.Key))
        {
            var spans = await AllSpansAsync(http, $"/api/telemetry/traces/{traceId}");
            var services = spans.Select(s => s.Service).ToHashSet(StringComparer.Ordinal);
            rounds.Add((round, spans.Count, services));
            output.WriteLine($"round {round}: {spans.Count} spans from {services.Count} services ({string.Join(", ", services.Order(StringComparer.Ordinal))})");
            foreach (var group in spans.GroupBy(s => (s.Service, s.Name)).OrderBy(g => g.Key.Service, StringComparer.Ordinal).ThenByDescending(g => g.Count()))
            {
                output.WriteLine($"  {group.Count(),5} x {group.Key.Service}: {group.Key.Name}");
            }
        }

        Assert.True(idlePerMinute <= MaxIdleTracesPerMinute,
            $"an idle deployment started {idle.Count} traces in {window.TotalSeconds:0} s ({idlePerMinute:0.#} per minute, at most {MaxIdleTracesPerMinute} expected)");
        // While the run ran, what started a trace was its rounds and this test's calls (StartRun, WatchRun): nothing per event or poll.
        var others = duringRun.Where(r => !r.StartsWith("selection: round ", StringComparison.Ordinal)
                                          && !r.StartsWith("selection: POST /activesynth.v1.Runs/", StringComparison.Ordinal)).ToList();
        Assert.True(others.Count <= 2, $"{others.Count} traces besides the rounds started during the run: {string.Join("; ", others.Distinct().Take(5))}");
        Assert.Equal([1, 2], rounds.Select(r => r.Round));
        Assert.All(rounds, r =>
        {
            Assert.True(r.Spans <= MaxSpansPerRound, $"round {r.Round}'s trace holds {r.Spans} spans (at most {MaxSpansPerRound} expected)");
            Assert.Equal(AppHostFixture.Services.Order(StringComparer.Ordinal), r.Services.Order(StringComparer.Ordinal));
        });
    }

    private void PrintRoots(List<string> roots)
    {
        foreach (var (root, count) in roots.GroupBy(t => t).OrderByDescending(g => g.Count()).Take(10).Select(g => (g.Key, g.Count())))
        {
            output.WriteLine($"  {count,6} x {root}");
        }
    }

    private HttpClient DashboardClient()
    {
        var http = new HttpClient { BaseAddress = fixture.DashboardUrl, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("x-api-key", fixture.DashboardApiKey);
        return http;
    }

    private async Task<RunState> WaitUntilFinishedAsync(string runId, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var call = Runs.WatchRun(new WatchRunRequest { RunId = runId, FromStart = true }, cancellationToken: cts.Token);
        await foreach (var e in call.ResponseStream.ReadAllAsync(cts.Token))
        {
            if (e.KindCase == RunEvent.KindOneofCase.RunFinished)
            {
                return e.RunFinished.State;
            }
        }
        return RunState.Unspecified;
    }

    /// <summary>The root span name of each trace whose earliest span started in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    private static List<string> TracesStartedBetween(List<Span> spans, DateTimeOffset from, DateTimeOffset to)
    {
        var fromNanos = from.ToUnixTimeMilliseconds() * 1_000_000;
        var toNanos = to.ToUnixTimeMilliseconds() * 1_000_000;
        return [.. spans.GroupBy(s => s.TraceId, StringComparer.Ordinal)
            .Select(t => t.MinBy(s => s.StartNanos)!)
            .Where(first => first.StartNanos >= fromNanos && first.StartNanos < toNanos)
            .Select(first => $"{first.Service}: {first.Name}")];
    }

    /// <summary>Trace id by round of the root spans "round r" tagged with <paramref name="runId"/>.</summary>
    private static Dictionary<int, string> RoundTraces(List<Span> spans, string runId)
    {
        var traces = new Dictionary<int, string>();
        foreach (var span in spans)
        {
            if (span.IsRoot && span.Name.StartsWith("round ", StringComparison.Ordinal)
                && span.Attributes.GetValueOrDefault("activesynth.run") == runId
                && int.TryParse(span.Name.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out var round))
            {
                traces[round] = span.TraceId;
            }
        }
        return traces;
    }

    /// <summary>Every span of a telemetry API answer (OTLP JSON under <c>data.resourceSpans</c>) with its resource's service name.</summary>
    private static async Task<List<Span>> AllSpansAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        var spans = new List<Span>();
        if (!doc.RootElement.TryGetProperty("data", out var data) || !data.TryGetProperty("resourceSpans", out var resourceSpans))
        {
            return spans;
        }
        foreach (var resourceSpan in resourceSpans.EnumerateArray())
        {
            var service = Attributes(resourceSpan.GetProperty("resource")).GetValueOrDefault("service.name") ?? "?";
            foreach (var scope in resourceSpan.GetProperty("scopeSpans").EnumerateArray())
            {
                foreach (var span in scope.GetProperty("spans").EnumerateArray())
                {
                    var parent = span.TryGetProperty("parentSpanId", out var p) ? p.GetString() : null;
                    spans.Add(new Span(service, span.GetProperty("traceId").GetString()!, span.GetProperty("name").GetString()!,
                        string.IsNullOrEmpty(parent), Nanos(span.GetProperty("startTimeUnixNano")), Attributes(span)));
                }
            }
        }
        return spans;
    }

    private static Dictionary<string, string?> Attributes(JsonElement element)
    {
        var attributes = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (element.TryGetProperty("attributes", out var list))
        {
            foreach (var attribute in list.EnumerateArray())
            {
                var value = attribute.GetProperty("value");
                attributes[attribute.GetProperty("key").GetString()!] = value.TryGetProperty("stringValue", out var s) ? s.GetString() : value.ToString();
            }
        }
        return attributes;
    }

    // OTLP JSON writes 64-bit integers as strings; accept a number too.
    private static long Nanos(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt64();

    private sealed record Span(string Service, string TraceId, string Name, bool IsRoot, long StartNanos, Dictionary<string, string?> Attributes);
}
