using System.Diagnostics;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Runs;
using ActiveSynth.Selection.Runs;
using ActiveSynth.Selection.Tests.Support;
using ActiveSynth.Testing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace ActiveSynth.Selection.Tests;

/// <summary>
/// Redis down mid-run for longer than a command's timeout: the run is interrupted, not failed, and resumes from its last
/// durable step once Redis answers again (without it, the run ended FAILED, or stayed RUNNING with nothing executing it).
/// </summary>
public sealed class RedisOutageRunTests : IDisposable
{
    private readonly string _artifacts = Directory.CreateTempSubdirectory("selection-outage-tests-").FullName;
    private readonly WorkerLog _log = new() { TrainDelay = TimeSpan.FromMilliseconds(700) };

    public void Dispose() => Directory.Delete(_artifacts, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_run_survives_a_redis_restart_mid_run_and_completes(bool kill)
    {
        await using var server = await RedisServerProcess.StartAsync();
        var host = await SelectionHost.StartAsync(server.ConnectionString, _artifacts, _log);
        try
        {
            var runs = host.Services.GetRequiredService<RunService>();
            var id = (await runs.StartAsync(Specs.Small(rounds: 4), kill ? "outage-kill" : "outage-shutdown", CancellationToken.None)).Id;
            await WaitForAsync(runs, id, r => r.State.Curve.Count >= 2);

            if (kill)
            {
                await server.KillAsync();
            }
            else
            {
                await server.ShutdownAsync();
            }
            await Task.Delay(TimeSpan.FromSeconds(7)); // past StackExchange.Redis' 5 s timeout: callers get errors, not just a delay
            await server.RestartAsync();

            var run = await WaitForAsync(runs, id, r => r.State.Status is RunStatus.Completed or RunStatus.Failed);
            Assert.True(run.State.Status == RunStatus.Completed, $"run {id}: {run.State.Status} {run.State.FailureReason}");
            Assert.Equal([0, 1, 2, 3, 4], run.State.Curve.Select(p => p.Round));
            Assert.Equal(16, run.State.Samples.Count);
            Assert.Equal(16, run.State.Samples.Select(s => s.Item.Id).Distinct().Count());
        }
        finally
        {
            await SelectionHost.StopAsync(host);
        }
    }

    private static async Task<StoredRun> WaitForAsync(RunService runs, string id, Func<StoredRun, bool> condition)
    {
        var clock = Stopwatch.StartNew();
        StoredRun? last = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            try
            {
                last = await runs.GetAsync(id);
                if (condition(last))
                {
                    return last;
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Redis is down: that is the test
            }
            await Task.Delay(100);
        }
        Assert.Fail($"run {id} did not get there within 120 s: {last?.State.Status} round {last?.State.Round} stage {last?.State.Stage} {last?.State.FailureReason}");
        return null!;
    }
}
