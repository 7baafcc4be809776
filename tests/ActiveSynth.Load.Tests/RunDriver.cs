using System.Text.Json;
using ActiveSynth.Contracts.V1;
using Grpc.Core;

namespace ActiveSynth.Load.Tests;

/// <summary>Starts runs through the Selection service's Runs API, follows them to their end and reads what they wrote.</summary>
public sealed class RunDriver(LoadAppHostFixture fixture)
{
    public async Task StartAsync(string runId, RunSpec spec) =>
        await fixture.Runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = spec }, deadline: Deadline(60));

    /// <summary>Follows the run's events until it finishes; null when it had not finished within <paramref name="timeout"/>.</summary>
    public async Task<RunFinished?> WaitFinishedAsync(string runId, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            using var call = fixture.Runs.WatchRun(new WatchRunRequest { RunId = runId, FromStart = true }, cancellationToken: cts.Token);
            await foreach (var e in call.ResponseStream.ReadAllAsync(cts.Token))
            {
                if (e.KindCase == RunEvent.KindOneofCase.RunFinished)
                {
                    return e.RunFinished;
                }
            }
        }
        catch (Exception ex) when (cts.IsCancellationRequested && ex is OperationCanceledException or RpcException)
        {
            // not finished in time: the caller reports it
        }
        return null;
    }

    public async Task<Run> GetAsync(string runId) =>
        await fixture.Runs.GetRunAsync(new GetRunRequest { RunId = runId, View = RunView.Full }, deadline: Deadline());

    /// <summary>The run's lineage.jsonl (one line per kept sample) from its report folder.</summary>
    public async Task<IReadOnlyList<LineageLine>> ReadLineageAsync(string runId)
    {
        var path = Path.Combine(fixture.ArtifactsRoot, "runs", runId, "lineage.jsonl");
        var lines = await File.ReadAllLinesAsync(path);
        return [.. lines.Where(l => l.Length > 0).Select(LineageLine.Parse)];
    }

    /// <summary>The questions of the run's dataset.jsonl, one per kept sample.</summary>
    public async Task<IReadOnlyList<string>> ReadDatasetQuestionsAsync(string runId)
    {
        var path = Path.Combine(fixture.ArtifactsRoot, "runs", runId, "dataset.jsonl");
        var lines = await File.ReadAllLinesAsync(path);
        return [.. lines.Where(l => l.Length > 0).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            return doc.RootElement.GetProperty("question").GetString()!;
        })];
    }

    private static DateTime Deadline(int seconds = 15) => DateTime.UtcNow.AddSeconds(seconds);
}

/// <summary>One line of lineage.jsonl.</summary>
public sealed record LineageLine(string SampleId, string RunId, int Round, string SeedId, string Family, IReadOnlyList<string> TeacherCallIds)
{
    public static LineageLine Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        return new LineageLine(
            root.GetProperty("sample_id").GetString()!,
            root.GetProperty("run_id").GetString()!,
            root.GetProperty("round").GetInt32(),
            root.GetProperty("seed_id").GetString()!,
            root.GetProperty("family").GetString()!,
            [.. root.GetProperty("teacher_call_ids").EnumerateArray().Select(e => e.GetString()!)]);
    }
}
