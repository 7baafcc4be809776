using ActiveSynth.Contracts.V1;
using ActiveSynth.Testing;
using Grpc.Net.Client;
using StackExchange.Redis;

namespace ActiveSynth.Selection.Tests.Support;

/// <summary>
/// One redis-server, one artifact directory and one <see cref="SelectionGrpcHost"/> for a test class, with a Runs client
/// over a real socket and a way to see everything a run would leave behind (<see cref="FootprintAsync"/>).
/// </summary>
public sealed class SelectionApiFixture : IAsyncLifetime
{
    private RedisServerProcess? _redis;
    private SelectionGrpcHost? _host;
    private GrpcChannel? _channel;
    private ConnectionMultiplexer? _connection;

    public string ArtifactsRoot { get; } = Directory.CreateTempSubdirectory("selection-api-tests-").FullName;

    /// <summary>A directory beside the artifact root: what a hostile path tries to reach.</summary>
    public string Outside { get; } = Directory.CreateTempSubdirectory("selection-api-outside-").FullName;

    public Contracts.V1.Runs.RunsClient Runs { get; private set; } = null!;

    /// <summary>The service's gRPC address (h2c on loopback).</summary>
    public Uri Address => _host!.Address;

    public Contracts.V1.Artifacts.ArtifactsClient Artifacts { get; private set; } = null!;

    /// <summary>The Redis database the Selection host uses.</summary>
    public IDatabase Redis => _connection!.GetDatabase();

    /// <summary>Largest upload the service accepts here (<c>Artifacts:Uploads:MaxFileBytes</c>).</summary>
    public const long MaxUploadFileBytes = 1 << 20;

    /// <summary>Most bytes under one run's folder an upload may bring it to here.</summary>
    public const long MaxUploadRunBytes = 2 << 20;

    /// <summary>Most bytes in the store an upload may bring it to here.</summary>
    public const long MaxUploadTotalBytes = 8 << 20;

    /// <summary>Small limits, so "too many items" and "too many bytes" cases stay small messages and small files.</summary>
    public static IReadOnlyDictionary<string, string?> Limits { get; } = new Dictionary<string, string?>
    {
        ["Selection:MaxSeedPoolSize"] = "1000",
        ["Selection:MaxTestSetSize"] = "1000",
        ["Artifacts:Uploads:MaxFileBytes"] = MaxUploadFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Artifacts:Uploads:MaxRunBytes"] = MaxUploadRunBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Artifacts:Uploads:MaxTotalBytes"] = MaxUploadTotalBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public async Task InitializeAsync()
    {
        _redis = await RedisServerProcess.StartAsync();
        _host = await SelectionGrpcHost.StartAsync(_redis.ConnectionString, ArtifactsRoot, new WorkerLog(), Limits);
        _channel = GrpcChannel.ForAddress(_host.Address);
        Runs = new Contracts.V1.Runs.RunsClient(_channel);
        Artifacts = new Contracts.V1.Artifacts.ArtifactsClient(_channel);
        _connection = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
        Directory.Delete(ArtifactsRoot, recursive: true);
        Directory.Delete(Outside, recursive: true);
    }

    /// <summary>The runs ListRuns shows, every run key in Redis, and every file under the artifact root.</summary>
    public async Task<Footprint> FootprintAsync()
    {
        var listed = (await Runs.ListRunsAsync(new ListRunsRequest { PageSize = 500 })).Runs.Select(r => r.Id);
        var server = _connection!.GetServer(_connection.GetEndPoints()[0]);
        var keys = server.Keys(pattern: "activesynth:run*").Select(k => k.ToString());
        var files = Directory.EnumerateFileSystemEntries(ArtifactsRoot, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(ArtifactsRoot, f));
        return new Footprint(Sorted(listed), Sorted(keys), Sorted(files));

        static string Sorted(IEnumerable<string> values) => string.Join("\n", values.Order(StringComparer.Ordinal));
    }
}

/// <summary>What exists of runs: compared before and after a rejected request, it must not have changed.</summary>
public sealed record Footprint(string ListedRuns, string RedisKeys, string Files);
