using ActiveSynth.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ActiveSynth.Conformance.Tests;

/// <summary>
/// The conformance kit against every worker implementation we have, each a real process on a real redis-server, sharing nothing
/// with the kit but Redis and the artifact folder: our three .NET worker kinds, and the second Teacher implementation,
/// services/python-teacher/worker.py. What any replacement must also pass.
/// </summary>
public sealed class WorkerConformanceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan ClaimIdleTime = TimeSpan.FromSeconds(10);
    private static readonly string[] AllChecks =
        ["answers-probe", "valid-request-valid-result", "continues-trace-context", "redelivery-same-effect", "poison-dead-lettered", "sigterm-loses-nothing"];

    private readonly string _artifacts = Path.Combine(Path.GetTempPath(), $"activesynth-conformance-{Guid.NewGuid():N}");
    private RedisServerProcess _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServerProcess.StartAsync();

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        if (Directory.Exists(_artifacts))
        {
            Directory.Delete(_artifacts, recursive: true);
        }
    }

    [Theory]
    [InlineData("teacher", "ActiveSynth.Teacher")]
    [InlineData("scoring", "ActiveSynth.Scoring")]
    [InlineData("training", "ActiveSynth.Training")]
    public async Task The_dotnet_worker_passes_the_conformance_kit(string kind, string project)
    {
        using var worker = ServiceProcess.Start(project, new Dictionary<string, string>
        {
            ["ConnectionStrings__redis"] = _redis.ConnectionString,
            ["Artifacts__Root"] = _artifacts,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            [$"Messaging__Consumers__{kind}__ClaimIdleTime"] = ClaimIdleTime.ToString(),
            ["Training__BaseSteps"] = "20",
        });

        await AssertConformsAsync(kind, "embedded", worker.Pid, () => worker.Output);

        Assert.True(worker.HasExited);
        Assert.Equal(0, worker.ExitCode);
    }

    /// <summary>The Python teacher writes samples with an OpenAI-compatible endpoint (a local fake); it has no embedded teacher.</summary>
    [Fact]
    public async Task The_python_teacher_passes_the_conformance_kit()
    {
        await using var endpoint = await FakeOpenAiServer.StartAsync("fake-conformance-model");
        await using var worker = await PythonTeacherProcess.StartAsync(_redis.ConnectionString, endpoint.ConnectionString,
            new Dictionary<string, string?> { ["Messaging__Consumers__teacher__ClaimIdleTime"] = ClaimIdleTime.ToString() });

        await AssertConformsAsync("teacher", "openai", worker.Pid, () => worker.Output);

        Assert.True(await worker.WaitForExitAsync(TimeSpan.FromSeconds(5)), worker.Output);
        Assert.Equal(0, worker.ExitCode);
    }

    private async Task AssertConformsAsync(string kind, string teacherKind, int pid, Func<string> workerOutput)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var kit = new ConformanceKit(redis, new ConformanceOptions
        {
            Kind = kind,
            TeacherKind = teacherKind,
            ArtifactsRoot = _artifacts,
            WorkerPid = pid,
            ClaimIdleTime = ClaimIdleTime,
        });

        var checks = await kit.RunAsync(c => output.WriteLine($"{(c.Passed ? "pass" : "FAIL")} {c.Name}: {c.Detail}"));

        Assert.Equal(AllChecks, checks.Select(c => c.Name));
        Assert.True(checks.All(c => c.Passed), string.Join("\n", checks.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Detail}")) + "\n" + workerOutput());
    }
}
