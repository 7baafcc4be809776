using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ActiveSynth.Core.Budgets;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Teachers;
using ActiveSynth.Teachers.Generation;
using ActiveSynth.Teachers.OpenAI;
using ActiveSynth.Teachers.Prompts;
using ActiveSynth.Teachers.Resilience;
using ActiveSynth.Teachers.Usage;
using ActiveSynth.Teachers.Validation;
using ActiveSynth.Testing;
using Microsoft.Extensions.AI;

// Teacher client throughput and budget safety against a local OpenAI-compatible endpoint with 200 ms latency:
// (1) sustained requests/s through the production pipeline (rate limiter at 16 concurrent, retries) as a ratio of
// the ideal 16 / 0.2 s = 80 req/s (aim >= 0.9); (2) 20 runs generating concurrently, each against its own token
// budget with reservation before and settlement after every sample: overshoot must be 0.
var output = args.Length > 0 ? args[0] : Path.Combine("benchmarks", "results", "teacher.json");
const int Concurrency = 16;
var latency = TimeSpan.FromMilliseconds(200);

await using var server = await FakeOpenAiServer.StartAsync();
server.Latency = latency;
var limits = new RateLimitOptions { MaxConcurrency = Concurrency };
using var limiter = new ClientRateLimiter(limits);
var model = OpenAiTeacherClient.Create(TeacherConnection.Parse(server.ConnectionString), TimeSpan.FromSeconds(30));
var client = TeacherPipeline.Build(model, server.Model, cache: null, new RetryOptions(), limiter, limits);
var registry = TaskFamilyRegistry.Default;
var settings = new TeacherCallSettings(server.Model, PromptLibrary.CurrentVersion, MaxCompletionTokens: 256);
var seeds = TaskSetGenerator.Generate([.. TaskFamilyRegistry.EmbeddedBenchmarkFamilies.Select(registry.Get)], 1, 4, 64, 7, "seed");

// (1) Throughput: warm up, then 480 question calls (6 s at the ideal rate).
await CallsAsync(Concurrency);
const int Calls = 480;
var clock = Stopwatch.StartNew();
await CallsAsync(Calls);
var requestsPerSecond = Calls / clock.Elapsed.TotalSeconds;
var ideal = Concurrency / latency.TotalSeconds;
Console.WriteLine($"throughput: {requestsPerSecond:0.0} req/s of ideal {ideal:0} ({requestsPerSecond / ideal:0.000}); max in flight at the server {server.MaxInFlight}");

// (2) Budget: 20 concurrent runs, 6,000 teacher tokens each, every sample reserved at its upper bound first.
const int Runs = 20;
const long TokenBudget = 6_000;
var ledger = new InMemoryBudgetLedger();
var generator = new SampleGenerator(client, registry, new SampleValidator(registry, new ValidationOptions()), new InMemorySeenQuestions(), PriceTable.Free);
var reservation = new BudgetAmount(1, 2, 2 * (1024 + 256), 0); // two calls: prompt bound + completion cap each
var runs = await Task.WhenAll(Enumerable.Range(0, Runs).Select(RunAsync));
var overshoot = runs.Max(r => Math.Max(0, r.Used - TokenBudget));
Console.WriteLine($"budget: {Runs} runs, used {runs.Min(r => r.Used)}..{runs.Max(r => r.Used)} of {TokenBudget} tokens each, overshoot {overshoot}");

var result = new Dictionary<string, object>
{
    ["endpoint_latency_ms"] = latency.TotalMilliseconds,
    ["max_concurrency"] = Concurrency,
    ["calls"] = Calls,
    ["requests_per_second"] = Math.Round(requestsPerSecond, 2),
    ["ideal_requests_per_second"] = ideal,
    ["throughput_vs_ideal_ratio"] = Math.Round(requestsPerSecond / ideal, 3),
    ["server_max_in_flight"] = server.MaxInFlight,
    ["budget_runs"] = Runs,
    ["budget_tokens_per_run"] = TokenBudget,
    ["budget_used_tokens_min"] = runs.Min(r => r.Used),
    ["budget_used_tokens_max"] = runs.Max(r => r.Used),
    ["samples_per_run_mean"] = runs.Average(r => r.Samples),
    ["budget_overshoot_tokens"] = overshoot,
    ["measured_at"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
};
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
await File.WriteAllTextAsync(output, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"wrote {output}");
return overshoot == 0 ? 0 : 1;

async Task CallsAsync(int count) => await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
    client.GetResponseAsync(TeacherPrompts.Question(PromptLibrary.CurrentVersion, seeds[i % seeds.Count]), settings.ToChatOptions($"bench-{Guid.NewGuid():N}"))));

async Task<(long Used, int Samples)> RunAsync(int run)
{
    var account = $"run-{run}";
    await ledger.OpenAsync(account, new BudgetLimits(MaxTeacherTokens: TokenBudget));
    var samples = 0;
    for (var slot = 0; ; slot++)
    {
        var id = $"r{run}-s{slot}";
        var reserved = await ledger.TryReserveAsync(account, id, reservation);
        if (!reserved.Succeeded)
        {
            break;
        }
        var outcome = await generator.GenerateAsync(new GenerationRequest(account, seeds[(run + slot) % seeds.Count], id, settings), CancellationToken.None);
        await ledger.SettleAsync(account, id, new BudgetAmount(outcome.Sample is null ? 0 : 1, outcome.Usage.Calls, outcome.Usage.TotalTokens, outcome.Usage.CostUsd));
        samples += outcome.Sample is null ? 0 : 1;
    }
    var snapshot = await ledger.GetAsync(account);
    return (snapshot.Used.TeacherTokens, samples);
}
