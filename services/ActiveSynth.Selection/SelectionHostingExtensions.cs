using ActiveSynth.Hosting;
using ActiveSynth.Contracts;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Engine.Runs;
using ActiveSynth.Messaging.Requests;
using ActiveSynth.Selection.DefaultRun;
using ActiveSynth.Selection.Grpc;
using ActiveSynth.Selection.Options;
using ActiveSynth.Reports;
using ActiveSynth.Selection.Runs;
using ActiveSynth.Selection.Telemetry;
using ActiveSynth.Messaging;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Selection;

public static class SelectionHostingExtensions
{
    /// <summary>
    /// Runs: options (validated at start), the Redis run store (runs, their event logs, their keyspace), the requester of every
    /// work kind (replies stored before ack, group "selection"), the engine's run host over the request streams with the report
    /// writer, the supervisor, telemetry; what keeps Redis bounded: a finished run's transient keys deleted (and DeleteRun), the
    /// retention sweeper (<c>Selection:Retention</c>) and the "redis-memory" health check (<c>Messaging:RedisMemory</c>).
    /// </summary>
    public static IHostApplicationBuilder AddRuns(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<SelectionOptions>().BindConfiguration(SelectionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<SelectionTelemetry>();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RedisRunStore>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RunReportWriter>();
        services.AddSingleton<SelectionRunListener>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SelectionOptions>>().Value;
            var requests = sp.GetRequiredService<RequestClient>();
            var reports = sp.GetRequiredService<RunReportWriter>();
            return new RunHost(sp.GetRequiredService<RedisRunStore>(), sp.GetRequiredService<ArtifactStore>(), options,
                runId => new StreamWorkTransport(runId, requests, options.TimeoutFor),
                (run, ct) => reports.WriteAsync(RunReports.Input(run.Spec, run.State, run.Meta.StageTimes, run.Meta.Checkpoints, run.Meta.FinishedAt), ct),
                sp.GetRequiredService<SelectionRunListener>());
        });
        services.AddSingleton<RunSupervisor>();
        services.AddHostedService(sp => sp.GetRequiredService<RunSupervisor>());
        services.AddSingleton<RunService>();
        services.AddSingleton<RunWatcher>();
        services.AddHostedService<RetentionSweeper>();
        builder.AddRedisMemoryHealthCheck();
        builder.AddWorkRequests(ConsumerGroups.Selection);
        builder.AddArtifactUploads();
        return builder;
    }

    /// <summary>
    /// The upload limits of the artifact service (<c>Artifacts:Uploads</c>, validated at start) and the quota that applies them.
    /// Part of <see cref="AddRuns"/>: the runs' folders are what the per-run limit measures.
    /// </summary>
    public static IHostApplicationBuilder AddArtifactUploads(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ArtifactUploadOptions>().BindConfiguration(ArtifactUploadOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ArtifactUploadQuota>();
        return builder;
    }

    /// <summary>The default run (<c>Selection:DefaultRun</c>): started once per deployment when every worker kind consumes.</summary>
    public static IHostApplicationBuilder AddDefaultRun(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IValidateOptions<DefaultRunOptions>, DefaultRunSpecFileValidator>();
        builder.Services.AddOptions<DefaultRunOptions>().BindConfiguration(DefaultRunOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<DefaultRunService>();
        return builder;
    }
}
