using Aspire.Hosting;
using ActiveSynth.Testing;
using Grpc.Net.Client;

namespace ActiveSynth.EndToEnd.Tests;

/// <summary>
/// The real AppHost, started once for the collection: a real redis-server (executable mode, data in a temp
/// folder), the four services as real processes, and the dashboard with its telemetry API (<see cref="AppHostDeployment"/>).
/// </summary>
public sealed class AppHostFixture : IAsyncLifetime
{
    public static readonly string[] Services = AppHostDeployment.Services;
    private readonly AppHostDeployment _deployment = new("e2e");

    public DistributedApplication App => _deployment.App;

    /// <summary>Seconds from StartAsync until Redis and every service reported healthy.</summary>
    public double SecondsToHealthy => _deployment.SecondsToHealthy;

    /// <summary>The dashboard of a test run listens on a dynamic port and protects its API with this key.</summary>
    public Uri DashboardUrl => _deployment.DashboardUrl;

    public string DashboardApiKey => _deployment.DashboardApiKey;

    /// <summary>The artifact directory shared by the services of this test deployment.</summary>
    public string ArtifactsRoot => _deployment.ArtifactsRoot;

    /// <summary>Where the AppHost writes its local deployment file (a temp folder, not the user's state directory).</summary>
    public string StateDir => _deployment.StateDir;

    // Tests start their own small runs; a shorter base keeps the suite within minutes on 2 cores.
    public Task InitializeAsync() => _deployment.StartAsync<Projects.ActiveSynth_AppHost>(["--Training:BaseSteps=150"]);

    public GrpcChannel Channel(string service) => _deployment.Channel(service);

    public async Task DisposeAsync() => await _deployment.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class AppHostCollection : ICollectionFixture<AppHostFixture>
{
    public const string Name = "AppHost";
}
