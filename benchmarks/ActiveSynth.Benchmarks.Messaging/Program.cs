using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using ActiveSynth.Benchmarks.Messaging;
using ActiveSynth.Testing;

// Messages/s through publish -> consume -> ack (1 and 4 consumers, 1 KiB payloads) and hop latency, compared
// with redis-benchmark XADD on the same redis-server. Usage: dotnet run -c Release [-- --messages N --out PATH]
var messages = IntArg("--messages", 50_000);
const int PayloadBytes = 1024;
const int Window = 512; // outstanding XADDs of the publisher
var output = Arg("--out") ?? Path.Combine(FindRepoRoot(), "benchmarks", "results", "messaging.json");

void ConfigureConsumer(ActiveSynth.Messaging.StreamConsumerOptions o)
{
    o.BatchSize = 128;
    o.PollInterval = TimeSpan.FromMilliseconds(5);
}

await using var server = await RedisServerProcess.StartAsync();
Console.WriteLine($"redis-server {server.Executable} on port {server.Port} (AOF everysec)");

var rawBefore = await RawXaddBaseline.RunAsync(server, 100_000, 4, PayloadBytes);
Console.WriteLine($"raw XADD (before): {rawBefore.RequestsPerSecond:0} req/s");

// Warm-up: JIT and connection set-up are not what we measure.
await PipelineRun.RunAsync(server.ConnectionString, "bench:warmup", 2, 5_000, PayloadBytes, Window, ConfigureConsumer);

var publishOnly = await PipelineRun.PublishOnlyAsync(server.ConnectionString, "bench:publish", messages, PayloadBytes, Window);
Console.WriteLine($"publish only: {publishOnly:0} msg/s");
var one = await PipelineRun.RunAsync(server.ConnectionString, "bench:c1", 1, messages, PayloadBytes, Window, ConfigureConsumer);
Console.WriteLine($"1 consumer: {one.MessagesPerSecond:0} msg/s, p50 {one.P50Ms:0.00} ms, p99 {one.P99Ms:0.00} ms");
var four = await PipelineRun.RunAsync(server.ConnectionString, "bench:c4", 4, messages, PayloadBytes, Window, ConfigureConsumer);
Console.WriteLine($"4 consumers: {four.MessagesPerSecond:0} msg/s, p50 {four.P50Ms:0.00} ms, p99 {four.P99Ms:0.00} ms");
// Latency without queueing: one message at a time, 2 ms apart.
var paced = await PipelineRun.RunAsync(server.ConnectionString, "bench:paced", 1, 1_000, PayloadBytes, 1, ConfigureConsumer, TimeSpan.FromMilliseconds(2));
Console.WriteLine($"paced, 1 consumer: p50 {paced.P50Ms:0.00} ms, p99 {paced.P99Ms:0.00} ms");

var rawAfter = await RawXaddBaseline.RunAsync(server, 100_000, 4, PayloadBytes);
Console.WriteLine($"raw XADD (after): {rawAfter.RequestsPerSecond:0} req/s");
var raw = (rawBefore.RequestsPerSecond + rawAfter.RequestsPerSecond) / 2;

JsonObject Pipeline(PipelineRun.Result r) => new()
{
    ["consumers"] = r.Consumers,
    ["messages"] = r.Messages,
    ["elapsed_s"] = Round(r.ElapsedSeconds, 3),
    ["msgs_per_s"] = Round(r.MessagesPerSecond, 0),
    ["publish_phase_s"] = Round(r.PublishSeconds, 3),
    ["hop_latency_p50_ms"] = Round(r.P50Ms, 3),
    ["hop_latency_p99_ms"] = Round(r.P99Ms, 3),
    ["hop_latency_max_ms"] = Round(r.MaxMs, 3),
};

var result = new JsonObject
{
    ["benchmark"] = "messaging: publish -> consume -> ack through ActiveSynth.Messaging vs redis-benchmark XADD",
    ["timestamp_utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
    ["machine"] = new JsonObject
    {
        ["cores"] = Environment.ProcessorCount,
        ["os"] = RuntimeInformation.OSDescription,
        ["dotnet"] = RuntimeInformation.FrameworkDescription,
        ["redis_server"] = server.Executable,
    },
    ["setup"] = new JsonObject
    {
        ["payload_bytes"] = PayloadBytes,
        ["messages_per_run"] = messages,
        ["publisher_window"] = Window,
        ["consumer_batch_size"] = 128,
        ["consumer_poll_interval_ms"] = 5,
        ["consumer_concurrency"] = 1,
        ["handler"] = "records the hop latency only (no effect); the consumer still checks and sets done markers and acks in MULTI",
        ["redis"] = "one local redis-server, AOF appendfsync everysec, password; everything shares the same cores",
        ["hop_latency"] = "PublishAsync call to handler entry (same process clock)",
        ["throughput"] = "messages / (first publish until every entry acked: group pending 0 and lag 0)",
    },
    ["raw_xadd"] = new JsonObject
    {
        ["command"] = rawBefore.Command,
        ["requests_per_s_before"] = Round(rawBefore.RequestsPerSecond, 0),
        ["requests_per_s_after"] = Round(rawAfter.RequestsPerSecond, 0),
        ["requests_per_s_mean"] = Round(raw, 0),
        ["p50_ms_before"] = rawBefore.P50Ms,
        ["output_before"] = rawBefore.Output,
        ["output_after"] = rawAfter.Output,
    },
    ["publish_only_msgs_per_s"] = Round(publishOnly, 0),
    ["consumers_1"] = Pipeline(one),
    ["consumers_4"] = Pipeline(four),
    ["paced_1_consumer"] = Pipeline(paced),
    ["publish_only_vs_raw_xadd_ratio"] = Round(publishOnly / raw, 3),
    ["consumers_1_vs_raw_xadd_ratio"] = Round(one.MessagesPerSecond / raw, 3),
    ["consumers_4_vs_raw_xadd_ratio"] = Round(four.MessagesPerSecond / raw, 3),
    ["consumers_4_vs_1_ratio"] = Round(four.MessagesPerSecond / one.MessagesPerSecond, 3),
    ["goal"] = "consumers_4_vs_raw_xadd_ratio >= 0.5",
    ["load_average_at_end"] = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : null,
};

Directory.CreateDirectory(Path.GetDirectoryName(output)!);
await File.WriteAllTextAsync(output, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
Console.WriteLine($"ratios: publish {result["publish_only_vs_raw_xadd_ratio"]}, 1 consumer {result["consumers_1_vs_raw_xadd_ratio"]}, 4 consumers {result["consumers_4_vs_raw_xadd_ratio"]}");
Console.WriteLine($"wrote {output}");
return 0;

static double Round(double value, int digits) => Math.Round(value, digits);

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

int IntArg(string name, int fallback) => Arg(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props")))
        {
            return dir.FullName;
        }
    }
    return Directory.GetCurrentDirectory();
}
