using ActiveSynth.Contracts.V1;
using ActiveSynth.AppHost.Workers;
using ActiveSynth.Testing;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Grpc.Core;
using Xunit.Abstractions;

namespace ActiveSynth.EndToEnd.Tests;

/// <summary>
/// Every worker kind external: the AppHost starts only Redis and Selection and shows Teacher, Scoring and Training waiting.
/// Replicas started by hand against the same Redis join (no AppHost environment), each with its own artifact folder, as on
/// other machines: Scoring and Training share nothing with the deployment but Redis and the network (Artifacts:Remote, the
/// artifact service). A run completes through them; every checkpoint Training wrote reached the deployment's folder byte for
/// byte, and Scoring read them from there. SIGTERM then stops the Teacher within the grace period and its resource goes back
/// to Waiting.
/// </summary>
[Collection(AppHostCollection.Name)] // its own deployment, but not at the same time as the shared one: 2 cores
public sealed class ExternalWorkerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task External_replicas_started_by_hand_with_their_own_artifact_folders_complete_a_run_and_stop_on_sigterm()
    {
        await using var deployment = new AppHostDeployment("external");
        await deployment.StartAsync<Projects.ActiveSynth_AppHost>(
            ["--Services:Teacher:Source=external", "--Services:Scoring:Source=external", "--Services:Training:Source=external", "--Training:BaseSteps=150"],
            waitFor: ["selection"]);
        var app = deployment.App;
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(7));
        var notifications = app.ResourceNotifications;
        await notifications.WaitForResourceAsync("teacher", ExternalWorkerWatcher.Waiting, cts.Token);
        var remote = app.GetEndpoint("selection", "grpc").ToString();
        var redis = await app.GetConnectionStringAsync("redis", cts.Token) ?? throw new InvalidOperationException("no redis");

        ServiceProcess Start(string project, string folder, bool remoteArtifacts) => ServiceProcess.Start(project, new Dictionary<string, string>
        {
            ["ConnectionStrings__redis"] = redis,
            ["Artifacts__Root"] = Path.Combine(deployment.DataDir, folder),
            ["Artifacts__Remote"] = remoteArtifacts ? remote : "",
            ["Training__BaseSteps"] = "150",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["DOTNET_ENVIRONMENT"] = "Production",
        });
        using var teacher = Start("ActiveSynth.Teacher", "teacher-box", remoteArtifacts: false);
        using var scoring = Start("ActiveSynth.Scoring", "scoring-box", remoteArtifacts: true);
        using var training = Start("ActiveSynth.Training", "training-box", remoteArtifacts: true);
        try
        {
            var running = await notifications.WaitForResourceAsync("teacher", e => e.Snapshot.State?.Text == ExternalWorkerWatcher.Running, cts.Token);
            var instances = running.Snapshot.Properties.Single(p => p.Name == "instances").Value?.ToString();
            output.WriteLine($"teacher (external) running: {instances}");
            Assert.Contains(teacher.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), instances, StringComparison.Ordinal);
            Assert.Equal(new Uri(remote), new Uri(running.Snapshot.Properties.Single(p => p.Name == ExternalWorkerWatcher.ArtifactsProperty).Value!.ToString()!));
            foreach (var kind in new[] { "scoring", "training" })
            {
                await notifications.WaitForResourceAsync(kind, e => e.Snapshot.State?.Text == ExternalWorkerWatcher.Running, cts.Token);
            }

            var runs = new Runs.RunsClient(deployment.Channel("selection"));
            var runId = $"external-{Guid.NewGuid():N}"[..20];
            await runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = RunTests.SmallSpec(maxRounds: 1, maxSamples: 16) },
                deadline: DateTime.UtcNow.AddSeconds(60));
            var run = await runs.WaitFinishedAsync(runId, cts.Token);
            output.WriteLine($"run {runId}: {run.State} {run.StopReason} {run.FailureReason}, usage {run.Usage}");
            Assert.Equal(RunState.Completed, run.State);
            Assert.True(run.Usage.TeacherCalls > 0);
            Assert.InRange(run.Usage.SamplesKept, 1, 16);

            // Training wrote the base and the round's checkpoint in its own folder and published every file; Scoring fetched them.
            var written = CheckpointFiles(Path.Combine(deployment.DataDir, "training-box"));
            output.WriteLine($"training-box checkpoint files: {string.Join(", ", written)}");
            Assert.Contains(written, f => f.StartsWith("bases/", StringComparison.Ordinal));
            Assert.Contains(written, f => f.Contains(runId, StringComparison.Ordinal));
            foreach (var file in written)
            {
                Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(deployment.DataDir, "training-box", file)),
                    await File.ReadAllBytesAsync(Path.Combine(deployment.ArtifactsRoot, file)));
            }
            var fetched = CheckpointFiles(Path.Combine(deployment.DataDir, "scoring-box"));
            output.WriteLine($"scoring-box checkpoint files: {string.Join(", ", fetched)}");
            Assert.Contains(fetched, f => f.EndsWith("/model.safetensors", StringComparison.Ordinal));
            Assert.Subset(written.ToHashSet(), fetched.ToHashSet());
            // Training fetched its dataset and test set from the deployment too: nothing else put them in its folder.
            Assert.True(File.Exists(Path.Combine(deployment.DataDir, "training-box", "runs", runId, "datasets", "r1.jsonl")));
            Assert.True(File.Exists(Path.Combine(deployment.DataDir, "training-box", "runs", runId, "test.jsonl")));

            Assert.True(await teacher.TerminateAsync(TimeSpan.FromSeconds(20)), $"the teacher did not exit within 20 s of SIGTERM:\n{teacher.Output}");
            Assert.Equal(0, teacher.ExitCode);
            await notifications.WaitForResourceAsync("teacher", ExternalWorkerWatcher.Waiting, cts.Token);
        }
        catch
        {
            output.WriteLine($"teacher:\n{teacher.Output}\nscoring:\n{scoring.Output}\ntraining:\n{training.Output}");
            throw;
        }
    }

    /// <summary>Files of complete checkpoints (those with a manifest) under <paramref name="root"/>, relative, '/'-separated.</summary>
    private static List<string> CheckpointFiles(string root) =>
    [
        .. Directory.EnumerateFiles(root, "checkpoint.json", SearchOption.AllDirectories)
            .SelectMany(manifest => Directory.EnumerateFiles(Path.GetDirectoryName(manifest)!))
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal),
    ];
}
