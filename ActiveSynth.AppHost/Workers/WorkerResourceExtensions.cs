using ActiveSynth.AppHost.Redis;

namespace ActiveSynth.AppHost.Workers;

public static class WorkerResourceExtensions
{
    /// <summary>
    /// One worker kind from its source: the .NET project (with its replicas), an executable started once per replica with the
    /// environment a project gets, or, for an external kind, a resource that shows whether replicas elsewhere are answering.
    /// <paramref name="configure"/> adds the kind's own settings to every started replica.
    /// </summary>
    public static Worker AddWorker<TProject>(this IDistributedApplicationBuilder builder, WorkerSettings worker,
        IResourceBuilder<IResourceWithConnectionString> redis, ActiveSynthSettings settings,
        Action<IResourceBuilder<IResourceWithEnvironment>> configure) where TProject : IProjectMetadata, new()
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(configure);
        switch (worker.Source)
        {
            case WorkerSource.Project:
                var project = builder.AddActiveSynthService<TProject>(worker.Name, redis, settings, worker.Replicas);
                configure(project);
                return new Worker(worker, project, null);
            case WorkerSource.Executable:
                for (var replica = 1; replica <= worker.Replicas; replica++)
                {
                    var name = replica == 1 ? worker.Name : $"{worker.Name}-{replica}";
                    var executable = builder.AddExecutable(name, worker.Command!, worker.WorkingDirectory, [.. worker.Args])
                        .WithWorkerEnvironment(redis, settings)
                        .WithOtlpExporter();
                    configure(executable);
                }
                return new Worker(worker, null, null);
            default:
                return new Worker(worker, null, builder.AddExternalWorker(worker));
        }
    }

    /// <summary>What every worker replica gets, whatever its source: Redis, the artifact root, the messaging and telemetry settings.</summary>
    public static IResourceBuilder<T> WithWorkerEnvironment<T>(this IResourceBuilder<T> worker, IResourceBuilder<IResourceWithConnectionString> redis,
        ActiveSynthSettings settings) where T : IResourceWithEnvironment, IResourceWithWaitSupport
    {
        ArgumentNullException.ThrowIfNull(settings);
        worker.WithEnvironment("Artifacts__Root", settings.ArtifactsRoot)
            .WithReference(redis)
            // Stream consumer settings (Messaging:Consumers:<group>:ClaimIdleTime, ...) apply to every service that has that group.
            .WithSettingsSection("Messaging")
            // Which Redis commands get a span (Telemetry:SlowRedisCommand), the same for every service.
            .WithSettingsSection("Telemetry");
        if (settings.RedisMode != RedisMode.External)
        {
            worker.WaitFor(redis); // an external server was checked before start and has no lifecycle to wait on
        }
        return worker;
    }
}

/// <summary>A worker kind as added: the project resource when it is one, the external resource when it is external.</summary>
public sealed record Worker(WorkerSettings Settings, IResourceBuilder<ProjectResource>? Project, IResourceBuilder<ExternalWorkerResource>? External);
