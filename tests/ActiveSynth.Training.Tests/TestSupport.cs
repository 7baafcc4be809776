using ActiveSynth.Contracts.V1;
using ActiveSynth.Hosting;
using ActiveSynth.Messaging.Requests;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Testing;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Messaging;
using ActiveSynth.Student;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.Grading;
using ActiveSynth.Student.HuggingFace;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ActiveSynth.Workers.Training;

namespace ActiveSynth.Training.Tests;

/// <summary>
/// The Training service's objects over a temporary artifact store, a tiny student and a real redis-server (request leases and
/// answered markers). Two harnesses over one <paramref name="root"/> and one server are two replicas of the service.
/// </summary>
internal sealed class TrainingHarness : IDisposable
{
    private readonly ServiceProvider _provider;
    private readonly ConnectionMultiplexer _redis;
    private readonly bool _ownsRoot;

    public TrainingHarness(string redis, string? root = null, string instance = "test-1", TimeSpan? leaseTime = null)
    {
        _ownsRoot = root is null;
        Root = root ?? Path.Combine(Path.GetTempPath(), $"activesynth-training-tests-{Guid.NewGuid():N}");
        Artifacts = new ArtifactStore(Root);
        _redis = ConnectionMultiplexer.Connect(redis);
        var options = new TrainingServiceOptions
        {
            DModel = 32, Layers = 1, Heads = 2, FeedForward = 64, Context = 64,
            BaseFamilies = "copy", BaseSteps = 30, BaseBatchSize = 8, BaseReplayPoolSize = 64,
            Steps = 5, BatchSize = 8, EvalBatchSize = 64, MaxNewTokens = 24,
            RequestLeaseTime = leaseTime ?? TimeSpan.FromSeconds(30),
        };
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddSingleton(Artifacts);
        services.AddSingleton(new CheckpointStore(Artifacts));
        services.AddSingleton(new HfCheckpointStore(Artifacts));
        services.AddSingleton(sp => new HfStudentCache(sp.GetRequiredService<HfCheckpointStore>(), TorchSharp.torch.CPU));
        services.AddSingleton(new StudentDevice(new StudentDeviceOptions { Device = "cpu", Threads = 1 }));
        services.AddSingleton(TaskFamilyRegistry.Default);
        services.AddSingleton(new GraderLookup(TaskFamilyRegistry.Default.Families));
        services.AddSingleton(Options.Create(options));
        services.AddSingleton<TrainingMetrics>();
        services.AddSingleton(new ServiceIdentity("training", instance));
        services.AddSingleton<IConnectionMultiplexer>(_redis);
        services.AddSingleton<IIdempotencyStore, RedisIdempotencyStore>();
        services.AddSingleton<IRequestLease>(new RedisRequestLease(_redis, TrainingHostingExtensions.LeasePrefix, options.RequestLeaseTime, instance,
            NullLogger<RedisRequestLease>.Instance));
        services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        services.AddSingleton<StudentTrainingService>();
        services.AddSingleton<TrainWork>();
        services.AddSingleton<RecordingPublisher>();
        services.AddSingleton<IStreamPublisher>(sp => sp.GetRequiredService<RecordingPublisher>());
        services.AddSingleton<IWorkHandler<TrainRequest, TrainResult>>(sp => sp.GetRequiredService<TrainWork>());
        services.AddSingleton<IRequestHandler<TrainRequest, TrainResult>, WorkRequestHandler<TrainRequest, TrainResult>>();
        services.AddSingleton(new RequestRegistration<TrainRequest>(WorkRoutes.Train, ReplyPolicy.OnceUnderLease));
        services.AddSingleton<RequestStreamHandler<TrainRequest, TrainResult>>();
        _provider = services.BuildServiceProvider();
    }

    public string Root { get; }

    public ArtifactStore Artifacts { get; }

    public StudentTrainingService Service => _provider.GetRequiredService<StudentTrainingService>();

    public RequestStreamHandler<TrainRequest, TrainResult> Handler => _provider.GetRequiredService<RequestStreamHandler<TrainRequest, TrainResult>>();

    public HfStudentCache HfStudents => _provider.GetRequiredService<HfStudentCache>();

    public RecordingPublisher Published => _provider.GetRequiredService<RecordingPublisher>();

    public static List<TaskItem> Items(string family, int difficulty, int count, int seed)
    {
        var rng = new Random(seed);
        var f = TaskFamilyRegistry.Default.Get(family);
        return [.. Enumerable.Range(0, count).Select(i => f.Generate($"{family}{difficulty}-{seed}-{i}", difficulty, rng))];
    }

    /// <summary>Writes items as JSONL of a contract message (Sample or SeedItem) and returns its reference.</summary>
    public async Task<Contracts.V1.ArtifactRef> WriteJsonlAsync(string path, IEnumerable<IMessage> messages)
    {
        var text = string.Concat(messages.Select(m => JsonFormatter.Default.Format(m) + "\n"));
        var sha = await Artifacts.WriteAsync(path, (s, ct) => s.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), ct).AsTask());
        return new Contracts.V1.ArtifactRef { Path = path, Sha256 = sha, MediaType = "application/jsonl" };
    }

    public IDatabase Redis => _redis.GetDatabase();

    public void Dispose()
    {
        _provider.Dispose();
        _redis.Dispose();
        if (_ownsRoot)
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
