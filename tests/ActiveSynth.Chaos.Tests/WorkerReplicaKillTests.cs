using System.Diagnostics;
using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using Xunit.Abstractions;

namespace ActiveSynth.Chaos.Tests;

/// <summary>Fault 1: kill -9 of one replica of each worker kind (Scoring, Teacher, Training) while it holds the round's work.</summary>
[Collection(ChaosCollection.Name)]
public sealed class WorkerReplicaKillTests(ChaosFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    public Task InitializeAsync() => fixture.Deployment.RestoreAsync(TimeSpan.FromMinutes(2));

    public Task DisposeAsync() => fixture.Deployment.RestoreAsync(TimeSpan.FromMinutes(2));

    [Fact]
    public async Task A_run_completes_with_nothing_lost_when_a_replica_of_each_worker_kind_is_killed_mid_request()
    {
        var clock = Stopwatch.StartNew();
        // 512 seeds: scoring the pool takes long enough here for the kill to land while a Scoring replica holds the request.
        var run = await ChaosRun.StartAsync(new Runs.RunsClient(fixture.Selection), "workers", seedPoolSize: 512);
        output.WriteLine($"run {run.Id}");
        var killer = new ReplicaKiller(fixture);
        var injected = new List<string>
        {
            await killer.KillHolderAsync("scoring", Streams.ScoreRequests, () => InStageAsync(run, 1, RunStage.Score), TimeSpan.FromMinutes(3)),
            await killer.KillHolderAsync("teacher", Streams.GenerateRequests, () => InStageAsync(run, 1, RunStage.Generate), TimeSpan.FromMinutes(2)),
            await killer.KillHolderAsync("training", Streams.TrainRequests, () => InStageAsync(run, 1, RunStage.Train), TimeSpan.FromMinutes(2)),
        };
        injected.ForEach(output.WriteLine);

        var finished = await run.WaitFinishedAsync(TimeSpan.FromMinutes(4));
        var audit = await fixture.AuditAsync(finished);
        output.WriteLine(audit.ToString());
        fixture.Figures.Add(audit, "kill -9 of one replica of each worker kind (scoring, teacher, training) mid-request", clock.Elapsed, injected);
        audit.AssertNothingLost();
    }

    /// <summary>True while the run has not gone past <paramref name="stage"/> of <paramref name="round"/>.</summary>
    private static async Task<bool> InStageAsync(ChaosRun run, int round, RunStage stage) =>
        await run.TryGetAsync() is not { } r
        || (r.State is RunState.Running or RunState.Pending && (r.Round < round || (r.Round == round && (r.Stage <= stage || r.Stage == RunStage.Unspecified))));
}
