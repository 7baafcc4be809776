using ActiveSynth.Hosting;
using ActiveSynth.Contracts;
using ActiveSynth.Selection.DefaultRun;
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
    /// Runs: options (validated at start), the Redis run store and event log, the requester of every work kind
    /// (replies stored before ack, group "selection"), the run executor and supervisor, telemetry; what keeps Redis bounded:
    /// the run keyspace (a finished run's transient keys deleted, DeleteRun), the retention sweeper (<c>Selection:Retention</c>)
    /// and the "redis-memory" health check (<c>Messaging:RedisMemory</c>).
    /// </summary>
    public static IHostApplicationBuilder AddRuns(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<SelectionOptions>().BindConfiguration(SelectionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<SelectionTelemetry>();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RunStore>();
        services.AddSingleton<PublishedTeacherPricing>();
        services.AddSingleton<RunKeyspace>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RunEventLog>();
        services.AddSingleton<RunReportWriter>();
        services.AddSingleton<RunExecutor>();
        services.AddSingleton<RunSupervisor>();
        services.AddHostedService(sp => sp.GetRequiredService<RunSupervisor>());
        services.AddSingleton<RunService>();
        services.AddSingleton<RunWatcher>();
        services.AddSingleton<RunEventSignal>();
        services.AddHostedService<RetentionSweeper>();
        builder.AddRedisMemoryHealthCheck();
        builder.AddWorkRequests(ConsumerGroups.Selection);
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
