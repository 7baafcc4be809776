using System.Runtime.ExceptionServices;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Engine.Runs;
using ActiveSynth.Reports;
using ActiveSynth.Workers.Scoring;
using ActiveSynth.Workers.Teacher;
using ActiveSynth.Teachers.Usage;
using ActiveSynth.Workers.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActiveSynth.Cli.Local;

/// <summary>
/// The engine in one process: the same run host, run plan, loop, request workers and Score/Generate/Train handlers as a
/// deployment, with the services' registrations (<see cref="StudentWorkExtensions"/>, <see cref="TeacherWorkExtensions"/>) in a
/// generic host, an <see cref="InProcessTransport"/> instead of Redis streams and a <see cref="FileRunStore"/> instead of Redis.
/// Configuration uses the services' section names (Student:Threads, Training:BaseSteps, Teacher:…, Selection:ScoreChunkSize,
/// ConnectionStrings:teacher), so a setting means the same here as on a deployment.
/// </summary>
public sealed class InProcessEngine : IDisposable
{
    private readonly IHost _host;
    private readonly RunPlanOptions _planOptions;
    private readonly RunHost _runs;

    public InProcessEngine(string artifactsRoot, IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        // The teacher endpoint and its key come from the environment (ConnectionStrings__teacher), never from an argument; the
        // command line's own settings come last, so its options win over the environment.
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(new ArtifactStore(artifactsRoot));
        builder.Services.AddSingleton(ServiceIdentity.ForCurrentProcess("in-process"));
        builder.AddScoringWork();
        builder.AddTrainingWork();
        builder.AddTeacherWork();
        // The run-shaping settings a deployment's Selection service binds from its section (chunk sizes, parallelism, reservations).
        _planOptions = builder.Configuration.GetSection("Selection").Get<RunPlanOptions>() ?? new RunPlanOptions();
        _host = builder.Build();
        Artifacts = _host.Services.GetRequiredService<ArtifactStore>();
        Transport = new InProcessTransport(
            _host.Services.GetRequiredService<ScoreWork>(),
            _host.Services.GetRequiredService<TeacherWork>(),
            _host.Services.GetRequiredService<TrainWork>(),
            _host.Services.GetRequiredService<JudgeWork>());
        var reports = new RunReportWriter(Artifacts);
        _runs = new RunHost(new FileRunStore(Artifacts), Artifacts, _planOptions, _ => Transport,
            (run, ct) => reports.WriteAsync(RunReports.Input(run.Spec, run.State, run.Meta.StageTimes, run.Meta.Checkpoints, run.Meta.FinishedAt), ct),
            Rethrow.Instance);
    }

    public ArtifactStore Artifacts { get; }

    /// <summary>The transport every run of this engine goes through: results are kept by key for the engine's lifetime.</summary>
    public InProcessTransport Transport { get; }

    /// <summary>
    /// Runs <paramref name="spec"/> as run <paramref name="runId"/> through the engine's run host with a <see cref="FileRunStore"/>:
    /// from its saved state (<c>runs/&lt;id&gt;/state.json</c>, a cancelled run continued) or from the start, saving the state after
    /// every stage and writing the run's report (the same files a deployment writes) at the end. A bad spec throws
    /// <see cref="SpecValidationException"/> naming every bad field; a run that fails throws its error, one that is cancelled
    /// <see cref="OperationCanceledException"/>, each once its state and report are saved.
    /// </summary>
    public async Task<LoopState> RunAsync(string runId, RunSpec spec, IRunObserver progress, CancellationToken ct)
    {
        var pricing = _host.Services.GetRequiredService<TeacherClients>().Pricing(_host.Services.GetRequiredService<PriceTable>(), "in-process");
        await _runs.OpenAsync(runId, spec, pricing, ct).ConfigureAwait(false);
        var run = await _runs.ExecuteAsync(runId, () => "requested", progress, ct).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        return run.State;
    }

    public void Dispose() => _host.Dispose();

    /// <summary>A local command stops with its run's error, as any command does with its own.</summary>
    private sealed class Rethrow : IRunListener
    {
        public static readonly Rethrow Instance = new();

        public void Failed(StoredRun run, Exception error) => ExceptionDispatchInfo.Throw(error);

        public void ReportFailed(StoredRun run, Exception error) => ExceptionDispatchInfo.Throw(error);
    }
}
