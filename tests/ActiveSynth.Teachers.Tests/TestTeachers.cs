using ActiveSynth.Core.Tasks;
using ActiveSynth.Teachers.Caching;
using ActiveSynth.Teachers.Embedded;
using ActiveSynth.Teachers.Generation;
using ActiveSynth.Teachers.OpenAI;
using ActiveSynth.Teachers.Prompts;
using ActiveSynth.Teachers.Resilience;
using ActiveSynth.Teachers.Usage;
using ActiveSynth.Teachers.Validation;
using ActiveSynth.Testing;
using Microsoft.Extensions.AI;

namespace ActiveSynth.Teachers.Tests;

/// <summary>Builds teachers and generators the way the service does, with test-sized timings.</summary>
internal static class TestTeachers
{
    /// <summary>The model the fake OpenAI-compatible server answers as (priced in <see cref="Prices"/>).</summary>
    public const string Model = "fake-model";

    public static readonly TaskFamilyRegistry Registry = TaskFamilyRegistry.Default;

    public static readonly PriceTable Prices = new(new Dictionary<string, ModelPrice>
    {
        [Model] = new() { PromptPer1K = 0.5, CompletionPer1K = 1.5 },
    });

    public static RetryOptions FastRetry(int attempts = 4) => new()
    {
        MaxAttempts = attempts,
        BaseDelay = TimeSpan.FromMilliseconds(10),
        MaxDelay = TimeSpan.FromMilliseconds(50),
        AttemptTimeout = TimeSpan.FromMilliseconds(1500),
    };

    public static TeacherCallSettings Settings(string model = Model, double? errorRate = null, long seed = 1) =>
        new(model, PromptLibrary.CurrentVersion, Temperature: 0.7, Seed: seed, MaxCompletionTokens: 256, ErrorRate: errorRate);

    public static SampleGenerator Generator(IChatClient client, ISeenQuestions? seen = null, ValidationOptions? validation = null) =>
        new(client, Registry, new SampleValidator(Registry, validation ?? new ValidationOptions()), seen ?? new InMemorySeenQuestions(), Prices);

    public static IChatClient OpenAi(FakeOpenAiServer server, TeacherResponseCache? cache = null, RetryOptions? retry = null, RateLimitOptions? limits = null)
    {
        var model = OpenAiTeacherClient.Create(TeacherConnection.Parse(server.ConnectionString), TimeSpan.FromSeconds(30));
        var limiter = limits is null ? null : new ClientRateLimiter(limits);
        return TeacherPipeline.Build(model, Model, cache, retry ?? FastRetry(), limiter, limits);
    }

    /// <summary>The fake OpenAI-compatible server the client tests call, answering as <see cref="Model"/>.</summary>
    public static Task<FakeOpenAiServer> StartServerAsync() => FakeOpenAiServer.StartAsync(Model, "sk-test-secret");

    public static EmbeddedTeacherChatClient Embedded(double errorRate = 0) =>
        new(Registry, new EmbeddedTeacherOptions { ErrorRate = errorRate });

    public static TaskItem Seed(string family, int difficulty, int seed = 0, string id = "seed-1") =>
        Registry.Get(family).Generate(id, difficulty, new Random(seed));
}
