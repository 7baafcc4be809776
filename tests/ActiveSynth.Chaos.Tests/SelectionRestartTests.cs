using System.Diagnostics;
using ActiveSynth.Contracts.V1;
using Xunit.Abstractions;

namespace ActiveSynth.Chaos.Tests;

/// <summary>
/// Fault 2: kill -9 of the Selection service (the single writer of run state) mid-run, twice (while its round's samples are
/// being generated, and while a round trains), each time started again through the AppHost: the run resumes from its
/// saved state and completes.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class SelectionRestartTests(ChaosFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    public Task InitializeAsync() => fixture.Deployment.RestoreAsync(TimeSpan.FromMinutes(2));

    public Task DisposeAsync() => fixture.Deployment.RestoreAsync(TimeSpan.FromMinutes(2));

    [Fact]
    public async Task A_run_resumes_and_completes_with_nothing_lost_after_the_selection_service_is_killed_mid_run()
    {
        var clock = Stopwatch.StartNew();
        // Rounds that train for several seconds: the restarted service finds round 2's training still in flight and publishes its
        // request again (same id), which the idle Training replica picks up while the first one is still at it.
        var run = await ChaosRun.StartAsync(new Runs.RunsClient(fixture.Selection), "selection", trainSteps: 100);
        output.WriteLine($"run {run.Id}");
        var injected = new List<string>
        {
            await KillSelectionAtAsync(run, 1, RunStage.Generate),
            await KillSelectionAtAsync(run, 2, RunStage.Train),
        };
        injected.ForEach(output.WriteLine);

        var finished = await run.WaitFinishedAsync(TimeSpan.FromMinutes(4));
        var audit = await fixture.AuditAsync(finished);
        output.WriteLine(audit.ToString());
        fixture.Figures.Add(audit, "kill -9 of the Selection service mid-run (twice), restarted through the AppHost", clock.Elapsed, injected);
        audit.AssertNothingLost();
    }

    private async Task<string> KillSelectionAtAsync(ChaosRun run, int round, RunStage stage)
    {
        var at = await run.WaitForStageAsync(round, stage, TimeSpan.FromMinutes(3));
        var (resourceId, pid) = Assert.Single(fixture.Deployment.Processes("selection"));
        await Deployment.KillAsync(pid);
        var killedAt = ChaosRun.Describe(at);
        var restarted = Stopwatch.StartNew();
        await fixture.Deployment.StartAsync(resourceId, TimeSpan.FromMinutes(2));
        var resumed = await run.WaitUntilAsync(_ => true, TimeSpan.FromSeconds(60), "an answer after the restart");
        return $"kill -9 {resourceId} (pid {pid}) at round {at.Round} stage {at.Stage} ({killedAt}); healthy again after " +
               $"{restarted.Elapsed.TotalSeconds:0.0} s, run then at round {resumed.Round} stage {resumed.Stage}";
    }
}
