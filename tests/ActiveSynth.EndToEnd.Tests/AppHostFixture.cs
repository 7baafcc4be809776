using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Grpc.Net.Client;

namespace ActiveSynth.EndToEnd.Tests;

/// <summary>
/// The real AppHost, started once for the collection: a real redis-server (executable mode, data in a temp
/// folder), the four services as real processes, and the dashboard with its telemetry API.
/// </summary>
public sealed class AppHostFixture : IAsyncLifetime
{
    public static readonly string[] Services = ["selection", "teacher", "scoring", "training"];
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"activesynth-e2e-{Guid.NewGuid():N}");
    private readonly Dictionary<string, GrpcChannel> _channels = [];
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The AppHost has not started.");

    /// <summary>Seconds from StartAsync until Redis and every service reported healthy.</summary>
    public double SecondsToHealthy { get; private set; }

    /// <summary>The dashboard of a test run listens on a dynamic port and protects its API with this key.</summary>
    public Uri DashboardUrl { get; private set; } = null!;

    public string DashboardApiKey { get; } = Guid.NewGuid().ToString("N");

    /// <summary>The artifact directory shared by the services of this test deployment.</summary>
    public string ArtifactsRoot => Path.Combine(_dataDir, "artifacts");

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ActiveSynth_AppHost>(
            new DistributedApplicationTestingBuilderOptions { EnableDashboard = true },
            [
                "--Redis:Mode=executable",
                $"--Redis:DataDir={Path.Combine(_dataDir, "redis")}",
                $"--Artifacts:Root={ArtifactsRoot}",
                $"--AppHost:DashboardApiKey={DashboardApiKey}",
                // Tests start their own small runs; a shorter base keeps the suite within minutes on 2 cores.
                "--Selection:DefaultRun:Enabled=false",
                "--Training:BaseSteps=150",
            ],
            cts.Token);
        _app = await builder.BuildAsync(cts.Token);

        var started = Stopwatch.StartNew();
        await _app.StartAsync(cts.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("redis", cts.Token);
        foreach (var service in Services)
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(service, cts.Token);
        }
        SecondsToHealthy = started.Elapsed.TotalSeconds;

        var dashboard = await _app.GetDashboardUrlAsync(cts.Token);
        DashboardUrl = new Uri(dashboard.GetLeftPart(UriPartial.Authority));
    }

    public GrpcChannel Channel(string service)
    {
        if (!_channels.TryGetValue(service, out var channel))
        {
            channel = GrpcChannel.ForAddress(App.GetEndpoint(service, "grpc"));
            _channels[service] = channel;
        }
        return channel;
    }

    public async Task DisposeAsync()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // redis-server may still be flushing its AOF as it exits; a temp folder left behind is harmless.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AppHostCollection : ICollectionFixture<AppHostFixture>
{
    public const string Name = "AppHost";
}
