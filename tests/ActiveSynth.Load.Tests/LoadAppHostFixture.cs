using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Testing;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActiveSynth.Load.Tests;

/// <summary>
/// One real deployment for the whole suite: a redis-server (executable mode, data in a temp folder), the four services as real
/// processes, the dashboard with its telemetry API, and as the OpenAI-compatible teacher a <see cref="FakeOpenAiServer"/> this
/// fixture starts first. Retries are tightened (3 s attempt timeout, short backoff) so a hang costs seconds, not minutes.
/// Every resource's console log is captured from the start for the secret scan.
/// </summary>
public sealed class LoadAppHostFixture : IAsyncLifetime
{
    public static readonly string[] Services = ["selection", "teacher", "scoring", "training"];
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"activesynth-load-{Guid.NewGuid():N}");
    private readonly Dictionary<string, GrpcChannel> _channels = [];
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The AppHost has not started.");

    public FakeOpenAiServer Teacher { get; private set; } = null!;

    public ConsoleLogCapture ConsoleLogs { get; } = new();

    public AppHostLogCapture AppHostLogs { get; } = new();

    public Figures Figures { get; } = new();

    /// <summary>A unique folder that every process of this deployment has in its environment or command line.</summary>
    public string DataDir => _dataDir;

    public string ArtifactsRoot => Path.Combine(_dataDir, "artifacts");

    public string RedisDataDir => Path.Combine(_dataDir, "redis");

    public string RedisConfigFile => Path.Combine(RedisDataDir, "redis.conf");

    public Uri DashboardUrl { get; private set; } = null!;

    public string DashboardApiKey { get; } = Guid.NewGuid().ToString("N");

    public double SecondsToHealthy { get; private set; }

    public Runs.RunsClient Runs => new(Channel("selection"));

    public async Task InitializeAsync()
    {
        Teacher = await FakeOpenAiServer.StartAsync("fake-load-model", $"sk-load-{Guid.NewGuid():N}");
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ActiveSynth_AppHost>(
            new DistributedApplicationTestingBuilderOptions { EnableDashboard = true },
            [
                "--Redis:Mode=executable",
                $"--Redis:DataDir={RedisDataDir}",
                $"--Artifacts:Root={ArtifactsRoot}",
                $"--AppHost:DashboardApiKey={DashboardApiKey}",
                "--Selection:DefaultRun:Enabled=false",
                "--Training:BaseSteps=100",
                $"--ConnectionStrings:teacher={Teacher.ConnectionString}",
                "--Teacher:Retry:MaxAttempts=4",
                "--Teacher:Retry:BaseDelay=00:00:00.100",
                "--Teacher:Retry:MaxDelay=00:00:01",
                "--Teacher:Retry:MaxRetryAfter=00:00:02",
                "--Teacher:Retry:AttemptTimeout=00:00:03",
            ],
            cts.Token);
        builder.Services.AddLogging(logging => logging.AddProvider(AppHostLogs));
        _app = await builder.BuildAsync(cts.Token);
        var started = Stopwatch.StartNew();
        await _app.StartAsync(cts.Token);
        string[] watched = ["redis", .. Services];
        ConsoleLogs.Start(_app.Services.GetRequiredService<ResourceLoggerService>(),
            _app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Where(r => watched.Contains(r.Name, StringComparer.Ordinal)));
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

    /// <summary>The password Redis was started with, from the private config file the AppHost wrote.</summary>
    public string RedisPassword()
    {
        var line = File.ReadAllLines(RedisConfigFile).Single(l => l.StartsWith("requirepass ", StringComparison.Ordinal));
        return line["requirepass ".Length..].Trim();
    }

    public async Task DisposeAsync()
    {
        await Figures.WriteAsync();
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
        await ConsoleLogs.DisposeAsync();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        if (Teacher is not null)
        {
            await Teacher.DisposeAsync();
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
public sealed class LoadCollection : ICollectionFixture<LoadAppHostFixture>
{
    public const string Name = "Load";
}
