using System.Diagnostics;
using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Testing;
using Aspire.Hosting.Testing;
using Xunit.Abstractions;

namespace ActiveSynth.Chaos.Tests;

/// <summary>
/// Swapping a worker kind mid-run without losing anything: a replacement Scoring replica started outside the AppHost takes over
/// when the AppHost's replicas are stopped with SIGTERM mid-round; and a rolling restart (SIGTERM, start again) of every replica
/// of every worker kind during one run.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class ServiceSwapTests(ChaosFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>
    /// A worker's stop: the grace period (5 s), then the time its handler takes to notice the cancellation (a scoring batch or a
    /// training step: seconds on a loaded 2-core machine), then the host's shutdown.
    /// </summary>
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(45);

    public Task InitializeAsync() => fixture.Deployment.RestoreAsync(TimeSpan.FromMinutes(2));

    public Task DisposeAsync() => fixture.Deployment.RestoreAsync(TimeSpan.FromMinutes(2));

    [Fact]
    public async Task A_replacement_scoring_replica_takes_over_when_the_old_ones_get_sigterm_mid_round()
    {
        var clock = Stopwatch.StartNew();
        using var replacement = ServiceProcess.Start("ActiveSynth.Scoring", new Dictionary<string, string>
        {
            ["ConnectionStrings__redis"] = await fixture.App.GetConnectionStringAsync("redis") ?? throw new InvalidOperationException("no redis"),
            ["Artifacts__Root"] = fixture.ArtifactsRoot,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Messaging__Consumers__scoring__ClaimIdleTime"] = ChaosFixture.ClaimIdleTime.ToString(),
        });
        try
        {
            // 512 seeds: scoring the pool takes long enough for the stop to land while an old replica holds the request.
            var run = await ChaosRun.StartAsync(new Runs.RunsClient(fixture.Selection), "replace", seedPoolSize: 512);
            output.WriteLine($"run {run.Id}, replacement scoring pid {replacement.Pid}");
            var injected = new List<string>();
            var db = fixture.Redis.GetDatabase();
            var deadline = Stopwatch.StartNew();
            var old = fixture.Deployment.Processes("scoring");
            while (deadline.Elapsed < TimeSpan.FromMinutes(3)
                   && !(await InFlightWork.HoldersAsync(db, Streams.ScoreRequests, ConsumerGroups.Scoring)).Any(h => old.Any(o => o.Pid == h.Pid)))
            {
                await Task.Delay(10);
            }
            foreach (var (resourceId, pid) in old)
            {
                var stop = Stopwatch.StartNew();
                Assert.True(await PosixSignals.TerminateAsync(pid, StopBound), $"{resourceId} (pid {pid}) still running {StopBound.TotalSeconds:0} s after SIGTERM");
                injected.Add($"SIGTERM to {resourceId} (pid {pid}), exited in {stop.Elapsed.TotalSeconds:0.0} s");
            }
            injected.ForEach(output.WriteLine);

            var finished = await run.WaitFinishedAsync(TimeSpan.FromMinutes(4));
            var audit = await fixture.AuditAsync(finished);
            output.WriteLine(audit.ToString());
            fixture.Figures.Add(audit, "replace the scoring kind mid-round: a replica started outside the AppHost, the old ones stopped with SIGTERM",
                clock.Elapsed, injected, [$"replacement pid {replacement.Pid} scored on alone after the stop"]);
            audit.AssertNothingLost();
            // The old replicas back (Aspire may still show them Running for a moment after they exited), then the replacement goes.
            await fixture.Deployment.StartAllAsync([.. old.Select(o => o.ResourceId)], TimeSpan.FromMinutes(2));
            Assert.True(await replacement.TerminateAsync(StopBound), $"the replacement did not exit within {StopBound.TotalSeconds:0} s of SIGTERM");
            Assert.True(replacement.ExitCode == 0, $"the replacement exited with {replacement.ExitCode} after SIGTERM");
        }
        catch
        {
            output.WriteLine(replacement.Output);
            throw;
        }
    }

    [Fact]
    public async Task A_rolling_restart_of_every_worker_replica_during_one_run_loses_nothing()
    {
        var clock = Stopwatch.StartNew();
        // 400 training steps a round: six restarts (13-30 s each) fit in the run (with 150 a CI run finished before the sixth).
        var run = await ChaosRun.StartAsync(new Runs.RunsClient(fixture.Selection), "rolling", trainSteps: 400, seedPoolSize: 256);
        output.WriteLine($"run {run.Id}");
        var injected = new List<string>();
        foreach (var kind in ChaosFixture.Workers)
        {
            foreach (var (resourceId, pid) in fixture.Deployment.Processes(kind))
            {
                var restart = Stopwatch.StartNew();
                Assert.True(await PosixSignals.TerminateAsync(pid, StopBound), $"{resourceId} (pid {pid}) still running {StopBound.TotalSeconds:0} s after SIGTERM");
                await fixture.Deployment.StartAsync(resourceId, TimeSpan.FromMinutes(2));
                var state = (await run.TryGetAsync())?.State;
                injected.Add($"SIGTERM to {resourceId} (pid {pid}) and start again: {restart.Elapsed.TotalSeconds:0.0} s, run {state}");
                output.WriteLine(injected[^1]);
            }
        }
        var midRun = injected.Count(i => i.EndsWith("run Running", StringComparison.Ordinal) || i.EndsWith("run Pending", StringComparison.Ordinal));

        var finished = await run.WaitFinishedAsync(TimeSpan.FromMinutes(4));
        var audit = await fixture.AuditAsync(finished);
        output.WriteLine(audit.ToString());
        fixture.Figures.Add(audit, "rolling restart (SIGTERM, start) of both replicas of teacher, scoring and training during one run", clock.Elapsed, injected);
        audit.AssertNothingLost();
        Assert.True(midRun == injected.Count, $"only {midRun} of {injected.Count} restarts happened while the run was running: the run is too short to test this");
    }
}
