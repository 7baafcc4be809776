using ActiveSynth.AppHost.Redis;

namespace ActiveSynth.AppHost.Workers;

public static class WorkerResourceExtensions
{
    /// <summary>
    /// One worker kind from its source: the .NET project (with its replicas), an executable started once per replica with the
    /// environment a project gets and an endpoint of its own, or, for an external kind, a resource that shows whether replicas elsewhere are answering.
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
                return new Worker(worker, project, [], null);
            case WorkerSource.Executable:
                var executables = new List<IResourceBuilder<ExecutableResource>>();
                for (var replica = 1; replica <= worker.Replicas; replica++)
                {
                    // One resource per replica, each with its own gRPC endpoint (a port Aspire allocates), as a project's replicas have:
                    // without it every replica of a .NET service would bind Kestrel's default address and all but one would die.
                    var name = replica == 1 ? worker.Name : $"{worker.Name}-{replica}";
                    var executable = builder.AddExecutable(name, worker.Command!, worker.WorkingDirectory, [.. worker.Args])
                        .WithGrpcServiceEndpoint()
                        .WithWorkerEnvironment(redis, settings)
                        .WithOtlpExporter();
                    if (worker.DotnetContentRoot is { } contentRoot)
                    {
                        executable.WithEnvironment("DOTNET_CONTENTROOT", contentRoot);
                    }
                    configure(executable);
                    executables.Add(executable);
                }
                return new Worker(worker, null, executables, null);
            default:
                return new Worker(worker, null, [], builder.AddExternalWorker(worker));
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
            .WithSettingsSection("Telemetry")
            // Deployment keys (secret parameters), certificate and CA (Security:*): set on the AppHost, every service enforces the same ones.
            .WithDeploymentSecurity();
        if (settings.RedisMode != RedisMode.External)
        {
            worker.WaitFor(redis); // an external server was checked before start and has no lifecycle to wait on
        }
        return worker;
    }
}

/// <summary>
/// A worker kind as added: the project resource when it is one, the executable resources (one per replica) when it is one, the
/// external resource when it is external.
/// </summary>
public sealed record Worker(WorkerSettings Settings, IResourceBuilder<ProjectResource>? Project,
    IReadOnlyList<IResourceBuilder<ExecutableResource>> Executables, IResourceBuilder<ExternalWorkerResource>? External)
{
    /// <summary>The resources whose replicas the AppHost starts (none for an external kind).</summary>
    public IEnumerable<IResource> Started => Project is null ? Executables.Select(e => (IResource)e.Resource) : [Project.Resource];
}
