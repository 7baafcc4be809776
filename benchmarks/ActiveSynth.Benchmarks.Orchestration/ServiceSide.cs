using ActiveSynth.Contracts.V1;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Grpc.Core;
using Grpc.Net.Client;

namespace ActiveSynth.Benchmarks.Orchestration;

/// <summary>The spec through the real AppHost: Selection drives Scoring, Teacher and Training over Redis streams.</summary>
internal sealed class ServiceSide : IAsyncDisposable
{
    private readonly DistributedApplication _app;
    private readonly GrpcChannel _channel;
    private readonly Runs.RunsClient _runs;

    private ServiceSide(DistributedApplication app)
    {
        _app = app;
        _channel = GrpcChannel.ForAddress(SelectionAddress);
        _runs = new Runs.RunsClient(_channel);
    }

    /// <summary>The AppHost (for connection strings and endpoints).</summary>
    public DistributedApplication App => _app;

    /// <summary>The Selection service's Runs API.</summary>
    public Runs.RunsClient Runs => _runs;

    /// <summary>The Selection service's gRPC address.</summary>
    public Uri SelectionAddress => _app.GetEndpoint("selection", "grpc");

    /// <summary>Starts the AppHost (a local redis-server, data under <paramref name="dataDir"/>, no default run) with <paramref name="settings"/> on top (a setting given again there wins).</summary>
    public static async Task<ServiceSide> StartAsync(string dataDir, params string[] settings)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ActiveSynth_AppHost>(
        [
            "--Redis:Mode=executable",
            $"--Redis:DataDir={Path.Combine(dataDir, "redis")}",
            $"--Artifacts:Root={Path.Combine(dataDir, "artifacts")}",
            $"--ActiveSynth:StateDir={Path.Combine(dataDir, "state")}", // not the user's local deployment file
            "--Selection:DefaultRun:Enabled=false",
            .. settings,
        ], cts.Token);
        var app = await builder.BuildAsync(cts.Token);
        await app.StartAsync(cts.Token);
        foreach (var resource in new[] { "redis", "selection", "teacher", "scoring", "training" })
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cts.Token);
        }
        return new ServiceSide(app);
    }

    public async Task<SideResult> RunAsync(string runId, int rounds)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        var (run, seconds) = await Timing.MeasureAsync(() => RunToEndAsync(runId, Spec.Proto(rounds), cts.Token));
        var stages = run.Rounds.SelectMany(r => r.Stages)
            .GroupBy(s => s.Stage.ToString())
            .ToDictionary(g => g.Key, g => g.Sum(s => s.Duration.ToTimeSpan().TotalSeconds));
        return new SideResult(seconds, [.. run.Curve.Select(p => p.Accuracy)], run.Usage.SamplesKept, run.Usage.TeacherTokens, stages);
    }

    private async Task<Run> RunToEndAsync(string runId, RunSpec spec, CancellationToken ct)
    {
        await _runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = spec }, cancellationToken: ct);
        using var watch = _runs.WatchRun(new WatchRunRequest { RunId = runId, FromStart = true }, cancellationToken: ct);
        await foreach (var e in watch.ResponseStream.ReadAllAsync(ct))
        {
            if (e.KindCase == RunEvent.KindOneofCase.RunFinished)
            {
                break;
            }
        }
        var run = await _runs.GetRunAsync(new GetRunRequest { RunId = runId }, cancellationToken: ct);
        return run.State == RunState.Completed ? run : throw new InvalidOperationException($"service run {runId} ended {run.State}: {run.FailureReason}");
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _app.DisposeAsync();
    }
}
