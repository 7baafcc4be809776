using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace ActiveSynth.Chaos.Tests;

/// <summary>
/// The real AppHost, started once for the collection, with two replicas of each worker kind: a real redis-server (executable
/// mode, AOF everysec, data in a temp folder) and every service as a real process. A short claim idle time makes a dead
/// replica's in-flight entries (and a killed Training replica's request lease) available to the live one within seconds
/// instead of the default 30 s. Runs use the embedded teacher unless they ask for the OpenAI-compatible one, which is a
/// <see cref="FakeOpenAiServer"/> on a local socket that counts what it bills.
/// </summary>
public sealed class ChaosFixture : IAsyncLifetime
{
    public static readonly string[] Workers = ["teacher", "scoring", "training"];
    public static readonly string[] Services = ["selection", .. Workers];
    public static readonly TimeSpan ClaimIdleTime = TimeSpan.FromSeconds(6);
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"activesynth-chaos-{Guid.NewGuid():N}");
    private DistributedApplication? _app;
    private GrpcChannel? _selection;
    private ConnectionMultiplexer? _redis;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The AppHost has not started.");

    public ResourceWatcher Resources { get; private set; } = null!;

    public Deployment Deployment { get; private set; } = null!;

    public GrpcChannel Selection => _selection ?? throw new InvalidOperationException("The AppHost has not started.");

    /// <summary>A connection to the deployment's redis-server (admin commands allowed: SHUTDOWN).</summary>
    public ConnectionMultiplexer Redis => _redis ?? throw new InvalidOperationException("The AppHost has not started.");

    public string ArtifactsRoot => Path.Combine(_dataDir, "artifacts");

    public string RedisDataDir => Path.Combine(_dataDir, "redis");

    public ReliabilityFigures Figures { get; } = new();

    /// <summary>The OpenAI-compatible teacher endpoint of runs with <c>TEACHER_KIND_OPENAI</c>.</summary>
    public FakeOpenAiServer TeacherEndpoint { get; private set; } = null!;

    /// <summary>Which rounds the Training replicas trained, from their logs.</summary>
    public TrainingLogWatcher Training { get; private set; } = null!;

    /// <summary>The audit of a finished run of <see cref="ChaosRun"/>'s shape.</summary>
    public Task<RunAudit> AuditAsync(Contracts.V1.Run run) => RunAudit.OfAsync(run, ChaosRun.BudgetSamples, ArtifactsRoot, Redis, Training);

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        TeacherEndpoint = await FakeOpenAiServer.StartAsync("fake-chaos-model");
        string[] args =
        [
            $"--ConnectionStrings:teacher={TeacherEndpoint.ConnectionString}",
            "--Redis:Mode=executable",
            $"--Redis:DataDir={RedisDataDir}",
            $"--Artifacts:Root={ArtifactsRoot}",
            $"--ActiveSynth:StateDir={Path.Combine(_dataDir, "state")}", // not the user's local deployment file
            "--Selection:DefaultRun:Enabled=false",
            "--Selection:Retention:KeepReplies=true", // the audit reads the stored teacher replies after the run finished
            "--Training:BaseSteps=100",
            $"--Training:RequestLeaseTime={ClaimIdleTime}",
            .. Workers.Select(w => $"--Services:{char.ToUpperInvariant(w[0])}{w[1..]}:Replicas=2"),
            .. Services.Select(s => $"--Messaging:Consumers:{s}:ClaimIdleTime={ClaimIdleTime}"),
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ActiveSynth_AppHost>(args, cts.Token);
        _app = await builder.BuildAsync(cts.Token);
        Resources = new ResourceWatcher(_app.Services.GetRequiredService<ResourceNotificationService>());
        await _app.StartAsync(cts.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("redis", cts.Token);
        foreach (var service in Services)
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(service, cts.Token);
        }
        Deployment = new Deployment(_app, Resources);
        await Deployment.WaitAllRunningAsync(TimeSpan.FromMinutes(2));
        Training = new TrainingLogWatcher(_app.Services.GetRequiredService<ResourceLoggerService>(),
            Resources.Instances("training").Select(e => e.ResourceId));

        _selection = GrpcChannel.ForAddress(_app.GetEndpoint("selection", "grpc"));
        var connection = ConfigurationOptions.Parse(await _app.GetConnectionStringAsync("redis", cts.Token)
            ?? throw new InvalidOperationException("redis has no connection string"));
        connection.AllowAdmin = true;
        connection.AbortOnConnectFail = false;
        _redis = await ConnectionMultiplexer.ConnectAsync(connection);
    }

    public async Task DisposeAsync()
    {
        Figures.Write();
        _selection?.Dispose();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
        if (_app is not null)
        {
            var stopping = Stopwatch.StartNew();
            await _app.DisposeAsync();
            Debug.WriteLine($"AppHost stopped in {stopping.Elapsed.TotalSeconds:0.0} s");
        }
        Training?.Dispose();
        Resources?.Dispose();
        if (TeacherEndpoint is not null)
        {
            await TeacherEndpoint.DisposeAsync();
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
public sealed class ChaosCollection : ICollectionFixture<ChaosFixture>
{
    public const string Name = "Chaos";
}
