using System.Diagnostics;
using ActiveSynth.Contracts.V1;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ActiveSynth.Chaos.Tests;

/// <summary>
/// Fault 3: redis-server restarted mid-run. The AppHost runs it with AOF (appendfsync everysec). A graceful SHUTDOWN
/// writes and fsyncs the AOF, so every key of the run must be back after the restart and the run completes.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class RedisRestartTests(ChaosFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    public Task InitializeAsync() => fixture.Deployment.RestoreAsync(TimeSpan.FromMinutes(2));

    public Task DisposeAsync() => fixture.Deployment.RestoreAsync(TimeSpan.FromMinutes(2));

    [Fact]
    public async Task A_run_completes_with_nothing_lost_when_redis_is_shut_down_and_started_again_mid_run()
    {
        var clock = Stopwatch.StartNew();
        var run = await ChaosRun.StartAsync(new Runs.RunsClient(fixture.Selection), "redis");
        output.WriteLine($"run {run.Id}");
        var at = await run.WaitForStageAsync(1, RunStage.Train, TimeSpan.FromMinutes(3));

        var before = await RunKeysAsync(run.Id);
        var (resourceId, pid) = Assert.Single(fixture.Deployment.Processes("redis"));
        try
        {
            await fixture.Redis.GetDatabase().ExecuteAsync("SHUTDOWN");
        }
        catch (RedisConnectionException)
        {
            // the server closes the connection as it exits
        }
        var down = Stopwatch.StartNew();
        await fixture.Deployment.StartAsync(resourceId, TimeSpan.FromMinutes(1));
        var injected = $"SHUTDOWN of {resourceId} (pid {pid}) at round {at.Round} stage {at.Stage}; healthy again after {down.Elapsed.TotalSeconds:0.0} s";
        output.WriteLine(injected);

        var after = await RunKeysAsync(run.Id);
        var missing = before.Except(after, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"run {run.Id}: {missing.Count} of its {before.Count} keys are gone after the restart: {string.Join(", ", missing.Take(10))}");

        var finished = await run.WaitFinishedAsync(TimeSpan.FromMinutes(4));
        var audit = await fixture.AuditAsync(finished);
        output.WriteLine(audit.ToString());
        fixture.Figures.Add(audit, "redis-server SHUTDOWN and start mid-run (AOF everysec)", clock.Elapsed, [injected]);
        audit.AssertNothingLost();
    }

    private async Task<HashSet<string>> RunKeysAsync(string runId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                var keys = new HashSet<string>(StringComparer.Ordinal);
                await foreach (var key in fixture.Redis.GetServers().Single().KeysAsync(pattern: $"activesynth:run:{runId}:*"))
                {
                    keys.Add(key.ToString());
                }
                return keys;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200); // the test's own connection is still reconnecting
            }
        }
    }
}
