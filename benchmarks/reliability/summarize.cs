// Sums the reliability figures of repeated chaos and load suite runs (see repeat.sh) into summary.json.
using System.Text.Json;
using System.Text.Json.Nodes;

var folder = args.Length > 0 ? args[0] : "benchmarks/results/reliability-repeat";
var files = Directory.GetFiles(folder, "*.json").Where(f => Path.GetFileName(f) != "summary.json").Order(StringComparer.Ordinal).ToList();
var exitCodes = File.Exists(Path.Combine(folder, "exit-codes.txt")) ? File.ReadAllLines(Path.Combine(folder, "exit-codes.txt")) : [];
long faults = 0, runs = 0, completed = 0, kept = 0, expected = 0, lost = 0, duplicates = 0, overshoot = 0, chargedTwice = 0;
long abandonedCalls = 0, billedTokens = 0, recordedTokens = 0, scenarios = 0;
var byScenario = new SortedDictionary<string, long>(StringComparer.Ordinal);
foreach (var file in files)
{
    if (JsonNode.Parse(File.ReadAllText(file))?["scenarios"] is not JsonArray scenarioList)
    {
        continue; // not a reliability figures file
    }
    foreach (var scenario in scenarioList)
    {
        scenarios++;
        var name = scenario!["scenario"]!.GetValue<string>();
        byScenario[name] = byScenario.GetValueOrDefault(name) + 1;
        faults += Long(scenario, "faults_injected");
        runs += Long(scenario, "runs");
        completed += Long(scenario, "runs_completed");
        kept += Long(scenario, "samples_kept");
        expected += Long(scenario, "samples_expected");
        lost += Long(scenario, "samples_lost");
        duplicates += Long(scenario, "duplicates");
        overshoot += Long(scenario, "budget_overshoot");
        var endpoint = scenario["teacher_endpoint"] is JsonObject e ? e : scenario.AsObject();
        chargedTwice += Long(endpoint, "charged_twice");
        abandonedCalls += Long(endpoint, "abandoned_calls");
        billedTokens += Long(endpoint, "billed_tokens");
        recordedTokens += Long(endpoint, "recorded_tokens");
    }
}
var summary = new JsonObject
{
    ["written_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
    ["machine"] = $"{Environment.ProcessorCount} cores",
    ["files"] = files.Count,
    ["suite_exit_codes"] = new JsonArray([.. exitCodes.Select(l => (JsonNode)l)]),
    ["scenario_runs"] = scenarios,
    ["faults_injected"] = faults,
    ["runs"] = runs,
    ["runs_completed"] = completed,
    ["samples_kept"] = kept,
    ["samples_lost"] = lost,
    ["duplicates"] = duplicates,
    ["budget_overshoot"] = overshoot,
    ["charged_twice"] = chargedTwice,
    ["abandoned_calls_at_teacher_kills"] = abandonedCalls,
    ["billed_tokens"] = billedTokens,
    ["recorded_tokens"] = recordedTokens,
    ["repetitions_by_scenario"] = new JsonObject([.. byScenario.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]),
};
var text = summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
File.WriteAllText(Path.Combine(folder, "summary.json"), text);
Console.WriteLine(text);

static long Long(JsonNode node, string key) => node[key] is JsonValue value && value.TryGetValue<long>(out var n) ? n : 0;
