using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
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
/// The engine in one process: the same run plan, loop, request workers and Score/Generate/Train handlers as a deployment, with
/// the services' registrations (<see cref="StudentWorkExtensions"/>, <see cref="TeacherWorkExtensions"/>) in a generic host and
/// an <see cref="InProcessTransport"/> instead of Redis streams. Configuration uses the services' section names (Student:Threads,
/// Training:BaseSteps, Teacher:…, Selection:ScoreChunkSize, ConnectionStrings:teacher), so a setting means the same here as on a
/// deployment.
/// </summary>
public sealed class InProcessEngine : IDisposable
{
    private readonly IHost _host;
    private readonly RunPlanOptions _planOptions;

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
    }

    public ArtifactStore Artifacts { get; }

    /// <summary>The transport every run of this engine goes through: results are kept by key for the engine's lifetime.</summary>
    public InProcessTransport Transport { get; }

    /// <summary>
    /// Runs <paramref name="spec"/> as run <paramref name="runId"/> from its saved state (<c>runs/&lt;id&gt;/state.json</c>) or from
    /// the start, saving the state after every stage and writing the run's report (the same files a deployment writes) at the end.
    /// A bad spec throws <see cref="SpecValidationException"/> naming every bad field.
    /// </summary>
    public async Task<LoopState> RunAsync(string runId, RunSpec spec, IRunObserver progress, CancellationToken ct)
    {
        var plan = RunPlan.Create(spec, _planOptions);
        CostLimitCheck.ThrowIfUnbound(spec, _host.Services.GetRequiredService<TeacherClients>()
            .Pricing(_host.Services.GetRequiredService<PriceTable>(), "in-process"));
        var strategy = StrategyRegistry.Create(plan.Loop.Strategy, plan.Loop.StrategyOptions);
        var record = await LocalRunRecord.LoadOrCreateAsync(Artifacts, runId, plan, ct).ConfigureAwait(false);
        var context = new RunWorkContext(runId, plan, record.TestSet, NoRoundTracer.Instance, record.EvalSeconds)
        {
            BaseCheckpoint = record.Data.Checkpoints.TryGetValue(0, out var baseCheckpoint) ? baseCheckpoint.ToContract() : null,
        };
        var workers = new RequestLoopWorkers(context, Transport, Artifacts);
        var observer = new LocalRunObserver(Artifacts, new RunReportWriter(Artifacts), record, progress);
        await new ActiveLoop(plan.Loop, strategy, workers, observer).RunAsync(record.State, ct).ConfigureAwait(false);
        return record.State;
    }

    public void Dispose() => _host.Dispose();
}
