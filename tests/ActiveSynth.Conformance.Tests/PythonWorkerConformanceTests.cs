using ActiveSynth.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ActiveSynth.Conformance.Tests;

/// <summary>
/// The conformance kit against the second implementation of the Teacher kind, services/python-teacher/worker.py, a real python3
/// process sharing nothing with the kit but Redis, writing samples with an OpenAI-compatible endpoint (a local fake). It does not
/// implement the embedded teacher: the kit asks for the OpenAI-kind teacher (<c>--teacher openai</c>).
/// </summary>
public sealed class PythonWorkerConformanceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan ClaimIdleTime = TimeSpan.FromSeconds(10);
    private readonly string _artifacts = Path.Combine(Path.GetTempPath(), $"activesynth-conformance-py-{Guid.NewGuid():N}");
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

    [Fact]
    public async Task The_python_teacher_passes_the_conformance_kit()
    {
        await using var endpoint = await FakeOpenAiServer.StartAsync("fake-conformance-model");
        await using var worker = await PythonTeacherProcess.StartAsync(_redis.ConnectionString, endpoint.ConnectionString,
            new Dictionary<string, string?> { ["Messaging__Consumers__teacher__ClaimIdleTime"] = ClaimIdleTime.ToString() });
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var kit = new ConformanceKit(redis, new ConformanceOptions
        {
            Kind = "teacher",
            TeacherKind = "openai",
            ArtifactsRoot = _artifacts,
            WorkerPid = worker.Pid,
            ClaimIdleTime = ClaimIdleTime,
        });

        var checks = await kit.RunAsync(c => output.WriteLine($"{(c.Passed ? "pass" : "FAIL")} {c.Name}: {c.Detail}"));

        Assert.Equal(["answers-probe", "valid-request-valid-result", "continues-trace-context", "redelivery-same-effect", "poison-dead-lettered",
            "sigterm-loses-nothing"], checks.Select(c => c.Name));
        Assert.True(checks.All(c => c.Passed), string.Join("\n", checks.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Detail}")) + "\n" + worker.Output);
        Assert.True(await worker.WaitForExitAsync(TimeSpan.FromSeconds(5)), worker.Output);
        Assert.Equal(0, worker.ExitCode);
    }
}
