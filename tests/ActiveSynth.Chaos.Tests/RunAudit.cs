using System.Text.Json;
using ActiveSynth.Contracts.V1;
using StackExchange.Redis;

namespace ActiveSynth.Chaos.Tests;

/// <summary>
/// What a finished run kept, checked against what the workers produced for it. The Selection service stores every worker
/// result under <c>activesynth:run:&lt;run&gt;:result:&lt;request id&gt;</c>; each generate result there is a sample the
/// teacher wrote (and the budget paid for) or a drop with its reason. Lost = a sample the teacher kept that is not in the
/// run's dataset.jsonl; duplicates = a sample id or a teacher call id that appears twice in the dataset, lineage or results;
/// trained twice = a round that Training replicas trained more than once (from their logs).
/// </summary>
public sealed record RunAudit(
    string RunId,
    RunState State,
    long Expected,
    long Kept,
    long UsageKept,
    long ReportKept,
    int Lost,
    int Duplicates,
    long Overshoot,
    long Dropped,
    long DropsWithoutReason,
    long ProducedSamples,
    long ProducedDrops,
    IReadOnlyList<string> LostIds,
    int Trainings,
    IReadOnlyDictionary<int, IReadOnlyList<string>> TrainedTwice)
{
    private static readonly string[] NoReason = ["", "unknown", "DROP_REASON_UNSPECIFIED"];

    public static async Task<RunAudit> OfAsync(Run run, long expected, string artifactsRoot, ConnectionMultiplexer redis, TrainingLogWatcher training)
    {
        var datasetPath = Path.Combine(artifactsRoot, run.Dataset.Path);
        var folder = Path.GetDirectoryName(datasetPath)!;
        var dataset = (await File.ReadAllLinesAsync(datasetPath)).Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString() ?? "").ToList();
        var lineage = (await File.ReadAllLinesAsync(Path.Combine(folder, "lineage.jsonl"))).Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(artifactsRoot, run.Report.Path)));
        var reportKept = report.RootElement.GetProperty("usage").GetProperty("samplesKept").GetInt64();

        var produced = await GenerateResultsAsync(redis, run.Id);
        var producedSamples = produced.Where(r => r.OutcomeCase == GenerateResult.OutcomeOneofCase.Sample).Select(r => r.Sample.Id).ToList();
        var lost = producedSamples.Except(dataset, StringComparer.Ordinal).ToList();

        var duplicates = (dataset.Count - dataset.Distinct(StringComparer.Ordinal).Count())
            + (lineage.Count - lineage.Select(l => l.GetProperty("sample_id").GetString()).Distinct(StringComparer.Ordinal).Count())
            + (producedSamples.Count - producedSamples.Distinct(StringComparer.Ordinal).Count());
        var callIds = lineage.SelectMany(l => l.GetProperty("teacher_call_ids").EnumerateArray().Select(c => c.GetString())).ToList();
        duplicates += callIds.Count - callIds.Distinct(StringComparer.Ordinal).Count();

        return new RunAudit(
            run.Id,
            run.State,
            expected,
            dataset.Count,
            run.Usage.SamplesKept,
            reportKept,
            lost.Count,
            duplicates,
            Math.Max(0, Math.Max(dataset.Count, run.Usage.SamplesKept) - expected),
            run.Usage.SamplesDropped,
            run.DropsByReason.Where(d => NoReason.Contains(d.Key)).Sum(d => d.Value) + Math.Max(0, run.Usage.SamplesDropped - run.DropsByReason.Values.Sum()),
            producedSamples.Count,
            produced.Count(r => r.OutcomeCase == GenerateResult.OutcomeOneofCase.Drop),
            lost,
            training.Trainings(run.Id),
            training.TrainedTwice(run.Id));
    }

    /// <summary>The stored generate results of a run: every item of its chunks (request ids <c>&lt;run&gt;/&lt;round&gt;/generate/&lt;slots&gt;</c>).</summary>
    private static async Task<List<GenerateResult>> GenerateResultsAsync(ConnectionMultiplexer redis, string runId)
    {
        var server = redis.GetServers().Single();
        var db = redis.GetDatabase();
        var results = new List<GenerateResult>();
        await foreach (var key in server.KeysAsync(pattern: $"activesynth:run:{runId}:result:*"))
        {
            var requestId = key.ToString()[$"activesynth:run:{runId}:result:".Length..];
            if (requestId.Split('/') is [_, _, "generate", _])
            {
                results.AddRange(GenerateChunkResult.Parser.ParseFrom((byte[])(await db.StringGetAsync(key))!).Results);
            }
        }
        return results;
    }

    public override string ToString() =>
        $"run {RunId}: {State}, expected {Expected}, kept {Kept} (GetRun {UsageKept}, report.json {ReportKept}), lost {Lost}, duplicates {Duplicates}, " +
        $"overshoot {Overshoot}, dropped {Dropped} ({DropsWithoutReason} without a reason), teacher results kept/dropped {ProducedSamples}/{ProducedDrops}, " +
        $"trainings {Trainings}, rounds trained twice [{string.Join("; ", TrainedTwice.Select(t => $"{t.Key}: {string.Join(", ", t.Value)}"))}]";

    /// <summary>Every invariant of "nothing is lost", each failing with the run id and the counts.</summary>
    public void AssertNothingLost()
    {
        var summary = ToString();
        Assert.True(State == RunState.Completed, $"run not completed: {summary}");
        Assert.True(Lost == 0, $"{Lost} sample(s) the teacher kept are missing from the dataset ({string.Join(", ", LostIds)}): {summary}");
        Assert.True(Duplicates == 0, $"{Duplicates} duplicate sample/lineage/teacher-call id(s): {summary}");
        Assert.True(Overshoot == 0, $"the sample budget was overshot by {Overshoot}: {summary}");
        Assert.True(Kept == Expected, $"dataset.jsonl holds {Kept} samples, the budget is {Expected}: {summary}");
        Assert.True(UsageKept == Expected, $"GetRun's usage says {UsageKept} kept, the budget is {Expected}: {summary}");
        Assert.True(ReportKept == Expected, $"report.json says {ReportKept} kept, the budget is {Expected}: {summary}");
        Assert.True(ProducedSamples == Kept, $"the teacher kept {ProducedSamples} samples for the run, the dataset holds {Kept}: {summary}");
        Assert.True(ProducedDrops == Dropped, $"the teacher dropped {ProducedDrops} samples for the run, the run recorded {Dropped}: {summary}");
        Assert.True(TrainedTwice.Count == 0, "trained by two replicas: " +
            string.Join("; ", TrainedTwice.Select(t => $"round {t.Key} by {string.Join(" and ", t.Value)}")) + $": {summary}");
        Assert.True(DropsWithoutReason == 0, $"{DropsWithoutReason} drop(s) without a recorded reason: {summary}");
    }
}
