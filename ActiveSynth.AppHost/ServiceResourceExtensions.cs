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
            .WithLocalReflection()
            .WithGrpcHealthCheck();
        if (replicas > 1)
        {
            service.WithReplicas(replicas);
        }
        return service;
    }

    /// <summary>
    /// An executable replica's own gRPC endpoint, as a project replica has: an h2c endpoint named <c>grpc</c> on a port Aspire
    /// allocates (shown in the dashboard), passed to the process as <c>ASPNETCORE_URLS=http://localhost:&lt;port&gt;</c>, which a .NET
    /// service binds with HTTP/2 (UseGrpcOnlyKestrel), and as <c>PORT</c> for a program in another runtime that serves something.
    /// </summary>
    public static IResourceBuilder<ExecutableResource> WithGrpcServiceEndpoint(this IResourceBuilder<ExecutableResource> executable)
    {
        ArgumentNullException.ThrowIfNull(executable);
        executable.WithHttpEndpoint(name: GrpcEndpoint.Name, env: "PORT")
            .WithEndpoint(GrpcEndpoint.Name, e => e.Transport = "http2");
        var endpoint = executable.GetEndpoint(GrpcEndpoint.Name);
        return executable.WithLocalReflection().WithEnvironment("ASPNETCORE_URLS", ReferenceExpression.Create($"http://localhost:{endpoint.Property(EndpointProperty.TargetPort)}"));
    }

    /// <summary>
    /// <c>Grpc__Reflection=true</c> for a service this AppHost starts (run mode), so <c>grpcurl -plaintext localhost:&lt;port&gt; list</c>
    /// works on a local deployment. The services run without a launch profile, so not as Development, where reflection is on by
    /// default; here they listen on loopback only, so the map reflection hands out reaches no one else. A published manifest
    /// (a deployment past loopback) does not get it.
    /// </summary>
    public static IResourceBuilder<T> WithLocalReflection<T>(this IResourceBuilder<T> service) where T : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(service);
        return service.ApplicationBuilder.ExecutionContext.IsRunMode ? service.WithEnvironment("Grpc__Reflection", "true") : service;
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
