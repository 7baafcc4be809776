using System.Diagnostics;
using ActiveSynth.Contracts.V1;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ActiveSynth.Chaos.Tests;

/// <summary>
/// Fault 3: redis-server restarted mid-run. The AppHost runs it with AOF, <c>appendfsync everysec</c>. A graceful SHUTDOWN
/// writes and fsyncs the AOF. A kill -9 cannot fsync, but Redis write()s the AOF before it answers a command, so what a client
/// was told is stored sits in the OS page cache, which outlives the process: only a crash of the machine (power, kernel) loses
/// the last second (up to 2 s when an fsync stalls). Either way every key of the run must be back after the restart, and the
/// run completes with nothing lost, while the services wait out the outage.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class RedisRestartTests(ChaosFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>How long Redis stays down: longer than StackExchange.Redis' 5 s command timeout, so callers see errors, not just a delay.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(8);

    public Task InitializeAsync() => fixture.Deployment.RestoreAsync(TimeSpan.FromMinutes(2));

    public Task DisposeAsync() => fixture.Deployment.RestoreAsync(TimeSpan.FromMinutes(2));

    [Fact]
    public Task A_run_completes_with_nothing_lost_when_redis_is_shut_down_and_started_again_mid_run() =>
        RestartRedisMidRunAsync("redis-shutdown", "redis-server SHUTDOWN mid-run, down 8 s, started again (AOF everysec)", async _ =>
        {
            try
            {
                await fixture.Redis.GetDatabase().ExecuteAsync("SHUTDOWN");
            }
            catch (RedisConnectionException)
            {
                // the server closes the connection as it exits
            }
            return "SHUTDOWN";
        });

    [Fact]
    public Task A_run_completes_with_nothing_lost_when_redis_is_killed_and_started_again_mid_run() =>
        RestartRedisMidRunAsync("redis-kill", "kill -9 of redis-server mid-run, down 8 s, started again (AOF everysec)", async pid =>
        {
            await Deployment.KillAsync(pid);
            return "kill -9";
        });

    private async Task RestartRedisMidRunAsync(string name, string fault, Func<int, Task<string>> stop)
    {
        var clock = Stopwatch.StartNew();
        var run = await ChaosRun.StartAsync(new Runs.RunsClient(fixture.Selection), name);
        output.WriteLine($"run {run.Id}");
        var at = await run.WaitForStageAsync(1, RunStage.Train, TimeSpan.FromMinutes(3));

        var before = await RunKeysAsync(run.Id);
        var (resourceId, pid) = Assert.Single(fixture.Deployment.Processes("redis"));
        var how = await stop(pid);
        var down = Stopwatch.StartNew();
        await Task.Delay(Outage);
        await fixture.Deployment.StartAsync(resourceId, TimeSpan.FromMinutes(1));
        var injected = $"{how} of {resourceId} (pid {pid}) at round {at.Round} stage {at.Stage}; healthy again after {down.Elapsed.TotalSeconds:0.0} s";
        output.WriteLine(injected);

        var after = await RunKeysAsync(run.Id);
        var missing = before.Except(after, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"run {run.Id}: {missing.Count} of its {before.Count} keys are gone after the restart: {string.Join(", ", missing.Take(10))}");

        var finished = await run.WaitFinishedAsync(TimeSpan.FromMinutes(4));
        var audit = await fixture.AuditAsync(finished);
        output.WriteLine(audit.ToString());
        fixture.Figures.Add(audit, fault, clock.Elapsed, [injected], [$"{before.Count} keys of the run before, all {before.Count - missing.Count} there after"]);
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
