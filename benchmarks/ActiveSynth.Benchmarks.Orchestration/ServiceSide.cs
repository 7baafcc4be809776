using ActiveSynth.Contracts.V1;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Grpc.Core;
using Grpc.Net.Client;

namespace ActiveSynth.Benchmarks.Orchestration;

/// <summary>The spec through the real AppHost: Selection drives Scoring, Teacher and Training over Redis streams.</summary>
internal static class ServiceSide
{
    public static async Task<SideResult> RunAsync(string dataDir)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ActiveSynth_AppHost>(
        [
            "--Redis:Mode=executable",
            $"--Redis:DataDir={Path.Combine(dataDir, "redis")}",
            $"--Artifacts:Root={Path.Combine(dataDir, "artifacts")}",
            "--Selection:DefaultRun:Enabled=false",
        ], cts.Token);
        await using var app = await builder.BuildAsync(cts.Token);
        await app.StartAsync(cts.Token);
        foreach (var resource in new[] { "redis", "selection", "teacher", "scoring", "training" })
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cts.Token);
        }
        using var channel = GrpcChannel.ForAddress(app.GetEndpoint("selection", "grpc"));
        var runs = new Runs.RunsClient(channel);

        await RunToEndAsync(runs, "warmup", Spec.Proto(rounds: 1), cts.Token);
        var (run, seconds) = await Timing.MeasureAsync(() => RunToEndAsync(runs, "timed", Spec.Proto(Spec.Rounds), cts.Token));
        var stages = run.Rounds.SelectMany(r => r.Stages)
            .GroupBy(s => s.Stage.ToString())
            .ToDictionary(g => g.Key, g => g.Sum(s => s.Duration.ToTimeSpan().TotalSeconds));
        return new SideResult(seconds, run.Curve[^1].Accuracy, run.Usage.SamplesKept, run.Usage.TeacherTokens, stages);
    }

    private static async Task<Run> RunToEndAsync(Runs.RunsClient runs, string runId, RunSpec spec, CancellationToken ct)
    {
        await runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = spec }, cancellationToken: ct);
        using var watch = runs.WatchRun(new WatchRunRequest { RunId = runId, FromStart = true }, cancellationToken: ct);
        await foreach (var e in watch.ResponseStream.ReadAllAsync(ct))
        {
            if (e.KindCase == RunEvent.KindOneofCase.RunFinished)
            {
                break;
            }
        }
        var run = await runs.GetRunAsync(new GetRunRequest { RunId = runId }, cancellationToken: ct);
        return run.State == RunState.Completed ? run : throw new InvalidOperationException($"service run {runId} ended {run.State}: {run.FailureReason}");
    }
}
