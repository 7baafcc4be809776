using ActiveSynth.Contracts.V1;
using ActiveSynth.Hosting.Workers;
using ActiveSynth.Testing;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Grpc.Core;
using Xunit.Abstractions;

namespace ActiveSynth.EndToEnd.Tests;

/// <summary>
/// <c>Services:Teacher:Source=external</c>: the AppHost starts everything but the Teacher and shows it waiting; a Teacher started by
/// hand against the same Redis (its own artifact folder, no AppHost environment) joins, the resource turns Running, and a run
/// completes through it. SIGTERM then stops it within the grace period and the resource goes back to Waiting.
/// </summary>
[Collection(AppHostCollection.Name)] // its own deployment, but not at the same time as the shared one: 2 cores
public sealed class ExternalWorkerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_external_teacher_started_by_hand_against_the_same_redis_completes_a_run_and_stops_on_sigterm()
    {
        await using var deployment = new AppHostDeployment("external");
        await deployment.StartAsync<Projects.ActiveSynth_AppHost>(["--Services:Teacher:Source=external", "--Training:BaseSteps=150"],
            waitFor: ["selection", "scoring", "training"]);
        var app = deployment.App;
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var notifications = app.ResourceNotifications;
        await notifications.WaitForResourceAsync("teacher", ExternalWorkerWatcher.Waiting, cts.Token);

        var ownFolder = Path.Combine(deployment.DataDir, "elsewhere");
        using var teacher = ServiceProcess.Start("ActiveSynth.Teacher", new Dictionary<string, string>
        {
            ["ConnectionStrings__redis"] = await app.GetConnectionStringAsync("redis", cts.Token) ?? throw new InvalidOperationException("no redis"),
            ["Artifacts__Root"] = ownFolder,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["DOTNET_ENVIRONMENT"] = "Production",
        });
        try
        {
            var running = await notifications.WaitForResourceAsync("teacher", e => e.Snapshot.State?.Text == ExternalWorkerWatcher.Running, cts.Token);
            var instances = running.Snapshot.Properties.Single(p => p.Name == "instances").Value?.ToString();
            output.WriteLine($"teacher (external) running: {instances}");
            Assert.Contains(teacher.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), instances, StringComparison.Ordinal);

            var runs = new Runs.RunsClient(deployment.Channel("selection"));
            var runId = $"external-{Guid.NewGuid():N}"[..20];
            await runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = RunTests.SmallSpec(maxRounds: 1, maxSamples: 16) },
                deadline: DateTime.UtcNow.AddSeconds(60));
            var run = await runs.WaitFinishedAsync(runId, cts.Token);
            output.WriteLine($"run {runId}: {run.State} {run.StopReason} {run.FailureReason}, usage {run.Usage}");
            Assert.Equal(RunState.Completed, run.State);
            Assert.True(run.Usage.TeacherCalls > 0);
            Assert.InRange(run.Usage.SamplesKept, 1, 16);

            Assert.True(await teacher.TerminateAsync(TimeSpan.FromSeconds(20)), $"the teacher did not exit within 20 s of SIGTERM:\n{teacher.Output}");
            Assert.Equal(0, teacher.ExitCode);
            await notifications.WaitForResourceAsync("teacher", ExternalWorkerWatcher.Waiting, cts.Token);
        }
        catch
        {
            output.WriteLine(teacher.Output);
            throw;
        }
    }
}
