using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Testing;
using Grpc.Core;
using Xunit.Abstractions;

namespace ActiveSynth.Security.Tests;

/// <summary>
/// A Training replica on a second network host (<see cref="SecondHost"/>) joins a keyed deployment: Redis over TLS, the artifact
/// service over HTTPS with the worker key. Without a key, or with the operator's, the artifact service refuses it and nothing of
/// it reaches the deployment; with the worker key a run completes and its checkpoints arrive from the other host.
/// </summary>
public sealed class TwoHostTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_replica_on_a_second_host_joins_over_tls_with_the_worker_key_and_is_refused_without_it()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        using var second = SecondHost.Create();
        output.WriteLine($"second host: {second.Description}");
        await using var deployment = await SecureDeployment.StartAsync(second.DeploymentAddress, cts.Token);
        deployment.StartLocalWorker("ActiveSynth.Teacher");
        deployment.StartLocalWorker("ActiveSynth.Scoring");
        var remoteRoot = Directory.CreateTempSubdirectory("activesynth-second-host-").FullName;
        try
        {
            var files = deployment.Files();
            await RefusedAsync(deployment, second, remoteRoot, key: null, "no deployment key", cts.Token);
            await RefusedAsync(deployment, second, remoteRoot, deployment.OperatorKey, "the operator key may not call /activesynth.v1.Artifacts/", cts.Token);
            Assert.Equal(files, deployment.Files()); // nothing of theirs arrived

            using var training = ServiceProcess.Start("ActiveSynth.Training", deployment.WorkerEnvironment(remoteRoot, deployment.WorkerKey), second.Launcher);
            using var channel = deployment.Channel(deployment.OperatorKey);
            var runs = new Runs.RunsClient(channel);
            var runId = $"two-host-{Guid.NewGuid():N}"[..20];
            var spec = EmbeddedRecipe.Spec("loss-high", randomSeed: 7, samplesPerRound: 16, maxRounds: 1, seedPoolSize: 60, testSetSize: 36);
            spec.Training.Steps = 10;
            await runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = spec }, cancellationToken: cts.Token);
            var run = await WaitFinishedAsync(runs, runId, cts.Token);
            output.WriteLine($"run {runId}: {run.State} {run.StopReason} {run.FailureReason}; usage {run.Usage}");
            if (run.State != RunState.Completed)
            {
                output.WriteLine($"training (second host):\n{training.Output}\nselection:\n{deployment.Selection.Output}");
            }
            Assert.Equal(RunState.Completed, run.State);
            var checkpoint = Path.Combine("runs", runId, "checkpoints", "r1", "checkpoint.json");
            Assert.True(File.Exists(Path.Combine(remoteRoot, checkpoint)), "the replica did not write the round's checkpoint");
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(remoteRoot, checkpoint)),
                await File.ReadAllBytesAsync(Path.Combine(deployment.ArtifactsRoot, checkpoint))); // uploaded from the other host
        }
        finally
        {
            Directory.Delete(remoteRoot, recursive: true);
        }
    }

    /// <summary>Starts the replica with <paramref name="key"/> and waits for the artifact service's refusal in its log.</summary>
    private async Task RefusedAsync(SecureDeployment deployment, SecondHost second, string root, string? key, string reason, CancellationToken ct)
    {
        var environment = deployment.WorkerEnvironment(root, key);
        environment["Training__PretrainOnStart"] = "true"; // it asks the artifact service for the base at once
        using var replica = ServiceProcess.Start("ActiveSynth.Training", environment, second.Launcher);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!replica.Output.Contains(reason, StringComparison.Ordinal) && DateTime.UtcNow < deadline && !replica.HasExited)
        {
            await Task.Delay(250, ct);
        }
        await Task.Delay(500, ct); // the rest of the line
        output.WriteLine($"replica with {(key is null ? "no key" : "the operator key")}: {replica.Output.Split('\n').FirstOrDefault(l => l.Contains(reason, StringComparison.Ordinal))?.Trim()}");
        Assert.True(replica.Output.Contains(reason, StringComparison.Ordinal), $"no refusal '{reason}' in the replica's log:\n{replica.Output}");
    }

    private static async Task<Run> WaitFinishedAsync(Runs.RunsClient runs, string runId, CancellationToken ct)
    {
        using var call = runs.WatchRun(new WatchRunRequest { RunId = runId, FromStart = true }, cancellationToken: ct);
        await foreach (var e in call.ResponseStream.ReadAllAsync(ct))
        {
            if (e.KindCase == RunEvent.KindOneofCase.RunFinished)
            {
                break;
            }
        }
        return await runs.GetRunAsync(new GetRunRequest { RunId = runId }, cancellationToken: ct);
    }
}
