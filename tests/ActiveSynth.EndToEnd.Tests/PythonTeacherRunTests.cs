using ActiveSynth.Contracts.V1;
using ActiveSynth.Testing;
using Aspire.Hosting;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Xunit.Abstractions;

namespace ActiveSynth.EndToEnd.Tests;

/// <summary>
/// <c>Services:Teacher:Source=executable</c> with the second implementation of the Teacher kind, services/python-teacher/worker.py,
/// as the deployment's only teacher: it answers the probe as kind teacher and a run whose teacher is the OpenAI-compatible endpoint
/// (FakeOpenAiServer) completes through it. The worker's packages and descriptor set are prepared by this project's build
/// (build/PythonTeacher.targets).
/// </summary>
[Collection(AppHostCollection.Name)] // its own deployment, but not at the same time as the shared one: 2 cores
public sealed class PythonTeacherRunTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_run_completes_with_the_python_teacher_started_by_the_apphost_as_an_executable()
    {
        await using var endpoint = await FakeOpenAiServer.StartAsync();
        await using var deployment = new AppHostDeployment("python-teacher");
        await deployment.StartAsync<Projects.ActiveSynth_AppHost>([
                "--Services:Teacher:Source=executable",
                $"--Services:Teacher:Command={Python3()}",
                "--Services:Teacher:Args:0=-u",
                $"--Services:Teacher:Args:1={RepositoryFiles.Path("services", "python-teacher", "worker.py")}",
                $"--Services:Teacher:WorkingDirectory={RepositoryFiles.Path("services", "python-teacher")}",
                $"--ConnectionStrings:teacher={endpoint.ConnectionString}",
                "--Training:BaseSteps=150",
            ],
            waitFor: ["selection", "scoring", "training"]);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(6));

        var diagnostics = new Diagnostics.DiagnosticsClient(deployment.Channel("selection"));
        var probe = new ProbeRequest { Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(30)) };
        probe.Targets.Add("teacher");
        var report = await diagnostics.ProbeAsync(probe, deadline: DateTime.UtcNow.AddSeconds(60), cancellationToken: cts.Token);
        var reply = Assert.Single(report.Replies);
        Assert.Equal("teacher", reply.Service);
        Assert.Equal(report.TraceId, reply.TraceId);

        var runs = new Runs.RunsClient(deployment.Channel("selection"));
        var runId = $"python-{Guid.NewGuid():N}"[..20];
        var spec = RunTests.SmallSpec(maxRounds: 1, maxSamples: 16);
        spec.Teacher.Kind = TeacherKind.Openai;
        spec.Teacher.Model = "";
        await runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = spec }, deadline: DateTime.UtcNow.AddSeconds(60));
        var run = await runs.WaitFinishedAsync(runId, cts.Token);
        var billed = endpoint.Snapshot();
        output.WriteLine($"run {runId}: {run.State} {run.StopReason} {run.FailureReason}, usage {run.Usage}; endpoint billed {billed}");

        Assert.Equal(RunState.Completed, run.State);
        Assert.InRange(run.Usage.SamplesKept, 1, 16);
        // Only the Python worker can have called the endpoint: the AppHost started no .NET teacher.
        Assert.True(billed.Completions > 0);
        Assert.Equal(billed.Completions, run.Usage.TeacherCalls);
        Assert.Equal(billed.Tokens, run.Usage.TeacherTokens);
        // The Python worker reports no billed_* fields (it has no cache): its billing is taken to be what the calls cost.
        Assert.Equal((billed.Completions, billed.Tokens), (run.Usage.BilledTeacherCalls, run.Usage.BilledTeacherTokens));
        Assert.Equal(0, endpoint.Unauthorized);
    }

    private static string Python3() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "python3")).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("python3 was not found on PATH: the Python teacher worker needs Python 3.9+ (sudo apt-get install -y python3).");
}
