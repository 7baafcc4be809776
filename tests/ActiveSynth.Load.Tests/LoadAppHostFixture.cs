using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Testing;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActiveSynth.Load.Tests;

/// <summary>
/// One real deployment for the whole suite: a redis-server (executable mode, data in a temp folder), the four services as real
/// processes, the dashboard with its telemetry API (<see cref="AppHostDeployment"/>), and as the OpenAI-compatible teacher a
/// <see cref="FakeOpenAiServer"/> this fixture starts first. Retries are tightened (3 s attempt timeout, short backoff) so a hang
/// costs seconds, not minutes. Every resource's console log is captured from the start for the secret scan.
/// </summary>
public sealed class LoadAppHostFixture : IAsyncLifetime
{
    public static readonly string[] Services = AppHostDeployment.Services;
    private readonly AppHostDeployment _deployment = new("load");

    public DistributedApplication App => _deployment.App;

    public FakeOpenAiServer Teacher { get; private set; } = null!;

    public ConsoleLogCapture ConsoleLogs { get; } = new();

    public AppHostLogCapture AppHostLogs { get; } = new();

    public Figures Figures { get; } = new();

    /// <summary>A unique folder that every process of this deployment has in its environment or command line.</summary>
    public string DataDir => _deployment.DataDir;

    public string ArtifactsRoot => _deployment.ArtifactsRoot;

    public string RedisDataDir => _deployment.RedisDataDir;

    public string RedisConfigFile => Path.Combine(RedisDataDir, "redis.conf");

    public Uri DashboardUrl => _deployment.DashboardUrl;

    public string DashboardApiKey => _deployment.DashboardApiKey;

    public double SecondsToHealthy => _deployment.SecondsToHealthy;

    public Runs.RunsClient Runs => new(Channel("selection"));

    public async Task InitializeAsync()
    {
        Teacher = await FakeOpenAiServer.StartAsync("fake-load-model", $"sk-load-{Guid.NewGuid():N}");
        string[] watched = ["redis", .. Services];
        await _deployment.StartAsync<Projects.ActiveSynth_AppHost>(
            [
                "--Training:BaseSteps=100",
                $"--ConnectionStrings:teacher={Teacher.ConnectionString}",
                "--Teacher:AllowedModels:0=gpt-4o-mini", // the walkthrough's --model, besides the endpoint's own
                "--Teacher:Retry:MaxAttempts=4",
                "--Teacher:Retry:BaseDelay=00:00:00.100",
                "--Teacher:Retry:MaxDelay=00:00:01",
                "--Teacher:Retry:MaxRetryAfter=00:00:02",
                "--Teacher:Retry:AttemptTimeout=00:00:03",
            ],
            configure: builder => builder.Services.AddLogging(logging => logging.AddProvider(AppHostLogs)),
            started: app => ConsoleLogs.Start(app.Services.GetRequiredService<ResourceLoggerService>(),
                app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Where(r => watched.Contains(r.Name, StringComparer.Ordinal))));
    }

    public GrpcChannel Channel(string service) => _deployment.Channel(service);

    /// <summary>The password Redis was started with, from the private config file the AppHost wrote.</summary>
    public string RedisPassword()
    {
        var line = File.ReadAllLines(RedisConfigFile).Single(l => l.StartsWith("requirepass ", StringComparison.Ordinal));
        return line["requirepass ".Length..].Trim();
    }

    public async Task DisposeAsync()
    {
        await Figures.WriteAsync();
        await ConsoleLogs.DisposeAsync();
        await _deployment.DisposeAsync();
        if (Teacher is not null)
        {
            await Teacher.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class LoadCollection : ICollectionFixture<LoadAppHostFixture>
{
    public const string Name = "Load";
}
