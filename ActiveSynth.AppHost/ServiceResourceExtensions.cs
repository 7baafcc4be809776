using ActiveSynth.AppHost.Grpc;
using ActiveSynth.AppHost.Workers;

namespace ActiveSynth.AppHost;

public static class ServiceResourceExtensions
{
    /// <summary>
    /// One ActiveSynth service: an h2c gRPC endpoint on loopback, Redis, the shared artifact directory,
    /// a gRPC health check (grpc.health.v1) and the configured number of replicas.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddActiveSynthService<TProject>(
        this IDistributedApplicationBuilder builder,
        string name,
        IResourceBuilder<IResourceWithConnectionString> redis,
        ActiveSynthSettings settings,
        int replicas) where TProject : IProjectMetadata, new()
    {
        var service = builder.AddProject<TProject>(name, launchProfileName: null)
            .WithHttpEndpoint(name: GrpcEndpoint.Name)
            .WithEndpoint(GrpcEndpoint.Name, e => e.Transport = "http2")
            .WithWorkerEnvironment(redis, settings)
            .WithGrpcHealthCheck();
        if (replicas > 1)
        {
            service.WithReplicas(replicas);
        }
        return service;
    }

    /// <summary>Prints where the dashboard is, once, so a user of `dotnet run` knows where to look.</summary>
    public static void AnnounceDashboard(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return;
        }
        var url = builder.Configuration["ASPNETCORE_URLS"]?.Split(';')[0];
        builder.Eventing.Subscribe<BeforeStartEvent>((_, _) =>
        {
            Console.WriteLine(url is null
                ? "[activesynth] Dashboard: disabled or on a generated address (no ASPNETCORE_URLS)."
                : $"[activesynth] Dashboard: {url}  (telemetry API: {url}/api/telemetry/traces)");
            return Task.CompletedTask;
        });
    }
}
