using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Grpc.Net.Client;

namespace ActiveSynth.Testing;

/// <summary>
/// The real AppHost for a suite that tests the deployment from outside, started with Aspire.Hosting.Testing: a real redis-server
/// (executable mode, data in a temp folder), the four services as real processes, and the dashboard with its telemetry API behind
/// a fresh key. The settings every such suite shares are set here; a suite adds its own as further arguments.
/// </summary>
/// <remarks>
/// Generic over the AppHost's entry point (<c>Projects.ActiveSynth_AppHost</c> of the suite), so this project needs no reference
/// to the AppHost and its services.
/// </remarks>
public sealed class AppHostDeployment(string name) : IAsyncDisposable
{
    public static readonly string[] Services = ["selection", "teacher", "scoring", "training"];
    private readonly Dictionary<string, GrpcChannel> _channels = [];
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The AppHost has not started.");

    /// <summary>A unique folder that every process of this deployment has in its environment or command line.</summary>
    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), $"activesynth-{name}-{Guid.NewGuid():N}");

    /// <summary>The artifact directory shared by the services of this deployment.</summary>
    public string ArtifactsRoot => Path.Combine(DataDir, "artifacts");

    public string RedisDataDir => Path.Combine(DataDir, "redis");

    /// <summary>
    /// Where this deployment's AppHost writes its local deployment file (<c>ActiveSynth:StateDir</c>), never the user's; the command
    /// line finds it with <c>ACTIVESYNTH_STATE_DIR</c> set to this folder.
    /// </summary>
    public string StateDir => Path.Combine(DataDir, "state");

    /// <summary>The dashboard of a test run listens on a dynamic port and protects its API with this key.</summary>
    public Uri DashboardUrl { get; private set; } = null!;

    public string DashboardApiKey { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Seconds from StartAsync until Redis and every service reported healthy.</summary>
    public double SecondsToHealthy { get; private set; }

    /// <summary>
    /// Builds and starts the AppHost with the shared settings and <paramref name="args"/>, then waits (4 minutes at most) until
    /// Redis and every service are healthy. <paramref name="configure"/> sees the builder before it is built,
    /// <paramref name="started"/> the application as soon as it has started (before the wait). <paramref name="waitFor"/> names
    /// the services to wait for (default: all four; a deployment with an external worker kind waits for the others).
    /// </summary>
    public async Task StartAsync<TEntryPoint>(IEnumerable<string> args, Action<IDistributedApplicationTestingBuilder>? configure = null,
        Action<DistributedApplication>? started = null, IReadOnlyList<string>? waitFor = null)
        where TEntryPoint : class
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<TEntryPoint>(
            new DistributedApplicationTestingBuilderOptions { EnableDashboard = true },
            [
                "--Redis:Mode=executable",
                $"--Redis:DataDir={RedisDataDir}",
                $"--Artifacts:Root={ArtifactsRoot}",
                $"--ActiveSynth:StateDir={StateDir}",
                $"--AppHost:DashboardApiKey={DashboardApiKey}",
                // Suites start their own small runs.
                "--Selection:DefaultRun:Enabled=false",
                .. args,
            ],
            cts.Token);
        configure?.Invoke(builder);
        _app = await builder.BuildAsync(cts.Token);

        var stopwatch = Stopwatch.StartNew();
        await _app.StartAsync(cts.Token);
        started?.Invoke(_app);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("redis", cts.Token);
        foreach (var service in waitFor ?? Services)
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(service, cts.Token);
        }
        SecondsToHealthy = stopwatch.Elapsed.TotalSeconds;

        var dashboard = await _app.GetDashboardUrlAsync(cts.Token);
        DashboardUrl = new Uri(dashboard.GetLeftPart(UriPartial.Authority));
    }

    /// <summary>A gRPC channel to the service's <c>grpc</c> endpoint, one per service, disposed with the deployment.</summary>
    public GrpcChannel Channel(string service)
    {
        lock (_channels)
        {
            if (!_channels.TryGetValue(service, out var channel))
            {
                channel = GrpcChannel.ForAddress(App.GetEndpoint(service, "grpc"));
                _channels[service] = channel;
            }
            return channel;
        }
    }

    public async ValueTask DisposeAsync()
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
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // redis-server may still be flushing its AOF as it exits; a temp folder left behind is harmless.
        }
    }
}
