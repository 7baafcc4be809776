using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Messaging;
using ActiveSynth.Selection.DefaultRun;
using ActiveSynth.Selection.Options;
using ActiveSynth.Reports;
using ActiveSynth.Selection.Runs;
using ActiveSynth.Selection.Telemetry;
using ActiveSynth.Selection.Workers;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Selection;

public static class SelectionHostingExtensions
{
    /// <summary>
    /// Runs: options (validated at start), the Redis run store and event log, the result consumers of the three result streams
    /// (group "selection", results stored before ack), the stream workers' waiter, the run executor and supervisor, telemetry.
    /// </summary>
    public static IHostApplicationBuilder AddRuns(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<SelectionOptions>().BindConfiguration(SelectionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<SelectionTelemetry>();
        services.AddSingleton<RunStore>();
        services.AddSingleton<RunEventLog>();
        services.AddSingleton<ResultWaiter>();
        services.AddSingleton<RunReportWriter>();
        services.AddSingleton<RunExecutor>();
        services.AddSingleton<RunSupervisor>();
        services.AddHostedService(sp => sp.GetRequiredService<RunSupervisor>());
        services.AddSingleton<RunService>();
        services.AddSingleton<RunWatcher>();
        builder.AddStreamConsumer<ScoreResult, StoredResultHandler<ScoreResult>>(Streams.ScoreResults, ConsumerGroups.Selection);
        builder.AddStreamConsumer<GenerateChunkResult, StoredResultHandler<GenerateChunkResult>>(Streams.GenerateResults, ConsumerGroups.Selection);
        builder.AddStreamConsumer<TrainResult, StoredResultHandler<TrainResult>>(Streams.TrainResults, ConsumerGroups.Selection);
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
