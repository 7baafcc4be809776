using System.Diagnostics;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Loop;
using ActiveSynth.Reports;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Engine.Runs;
using ActiveSynth.Selection.Runs;
using ActiveSynth.Selection.Tests.Support;
using ActiveSynth.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActiveSynth.Selection.Tests;

/// <summary>
/// The run machinery end to end over a real redis-server: the request workers publish to the request streams, fake workers in the
/// same host answer on the result streams, the "selection" consumers store the results, the run store keeps the state.
/// </summary>
public sealed class StreamRunTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);
    private readonly string _artifacts = Directory.CreateTempSubdirectory("selection-tests-").FullName;
    private readonly WorkerLog _log = new();

    public void Dispose() => Directory.Delete(_artifacts, recursive: true);

    [Fact]
    public async Task A_run_completes_over_the_streams_with_a_report_and_a_curve_point_per_round()
    {
        var host = await SelectionHost.StartAsync(redis.ConnectionString, _artifacts, _log);
        try
        {
            var runs = host.Services.GetRequiredService<RunService>();
            var spec = Specs.Small(rounds: 3);

            var started = await runs.StartAsync(spec, "complete-1", CancellationToken.None);
            var run = await WaitForAsync(runs, started.Id, r => r.State.Status is RunStatus.Completed or RunStatus.Failed);

            Assert.Equal(RunStatus.Completed, run.State.Status);
            Assert.Equal("max_rounds", run.State.StopReason);
            Assert.Equal([0, 1, 2, 3], run.State.Curve.Select(p => p.Round));
            Assert.Equal([0.2, 0.3, 0.4, 0.5], run.State.Curve.Select(p => Math.Round(p.Accuracy, 6)));
            Assert.True(run.State.Spent.Samples <= spec.Budget.MaxSamples);
            Assert.Equal(12, run.State.Samples.Count); // m = 4: slots 0..3, none is the fake teacher's dropped slot 4
            Assert.All(_log.Generated.Values, n => Assert.Equal(1, n));
            Assert.Equal(run.State.Spent.TeacherTokens, 100L * _log.Generated.Count);
            Assert.All(run.State.Samples.Where(s => s.Round == 1), s => Assert.Equal(4, s.Item.Difficulty)); // loss-high picks the hardest

            var view = run.ToContract(RunView.Full);
            Assert.Equal(4, view.Curve.Count);
            Assert.Equal(3, view.Rounds.Count);
            Assert.All(view.Rounds, r => Assert.Equal(
                [RunStage.Score, RunStage.Generate, RunStage.Train, RunStage.Evaluate], r.Stages.Select(s => s.Stage)));
            foreach (var artifact in new[] { view.Report, view.ReportMarkdown, view.Dataset }.Concat(view.Plots))
            {
                Assert.True(File.Exists(Path.Combine(_artifacts, artifact.Path)), artifact.Path);
            }
            var report = RunReportJson.Deserialize(await File.ReadAllTextAsync(Path.Combine(_artifacts, view.Report.Path)));
            Assert.Equal(4, report.LearningCurve.Count);
            Assert.True(File.Exists(Path.Combine(_artifacts, "runs/complete-1/lineage.jsonl")));

            var events = await host.Services.GetRequiredService<RedisRunStore>().ReadEventsAsync(run.Id, 0, 1000);
            Assert.Equal(RunEvent.KindOneofCase.RunFinished, events[^1].KindCase);
            Assert.Equal(3, events.Count(e => e.KindCase == RunEvent.KindOneofCase.RoundStarted));
            Assert.Equal(4, events.Count(e => e.KindCase == RunEvent.KindOneofCase.CurvePoint));
            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));

            var again = await runs.StartAsync(spec, "complete-1", CancellationToken.None);
            Assert.Equal(run.Meta.CreatedAt, again.Meta.CreatedAt); // the same id returns the same run
        }
        finally
        {
            await SelectionHost.StopAsync(host);
        }
    }

    [Fact]
    public async Task Drops_are_paid_for_and_counted_by_reason()
    {
        var host = await SelectionHost.StartAsync(redis.ConnectionString, _artifacts, _log);
        try
        {
            var runs = host.Services.GetRequiredService<RunService>();
            var spec = Specs.Small(rounds: 2);
            spec.SamplesPerRound = 6;
            spec.Budget = new Budget { MaxTeacherTokens = 100_000 };

            var run = await WaitForAsync(runs, (await runs.StartAsync(spec, "drops-1", CancellationToken.None)).Id,
                r => r.State.Status is RunStatus.Completed or RunStatus.Failed);

            Assert.Equal(RunStatus.Completed, run.State.Status);
            Assert.Equal(2, run.State.Drops.Count); // slot 4 of each round
            Assert.All(run.State.Drops, d => Assert.Equal("DROP_REASON_NO_FINAL_ANSWER", d.Reason));
            Assert.Equal(10, run.State.Spent.Samples);
            Assert.Equal(12 * 100, run.State.Spent.TeacherTokens);
            Assert.Equal(2, run.ToContract(RunView.Basic).DropsByReason["DROP_REASON_NO_FINAL_ANSWER"]);
        }
        finally
        {
            await SelectionHost.StopAsync(host);
        }
    }

    [Fact]
    public async Task A_restarted_service_resumes_the_run_from_its_last_durable_step_and_pays_once()
    {
        _log.TrainDelay = TimeSpan.FromMilliseconds(700);
        var first = await SelectionHost.StartAsync(redis.ConnectionString, _artifacts, _log);
        string id;
        try
        {
            var runs = first.Services.GetRequiredService<RunService>();
            id = (await runs.StartAsync(Specs.Small(rounds: 4), "restart-1", CancellationToken.None)).Id;
            await WaitForAsync(runs, id, r => r.State.Curve.Count >= 2);
        }
        finally
        {
            await SelectionHost.StopAsync(first);
        }
        var paused = await ReadStateAsync(id);
        Assert.Equal(RunStatus.Running, paused.Status);
        Assert.True(paused.Curve.Count < 5);

        var second = await SelectionHost.StartAsync(redis.ConnectionString, _artifacts, _log);
        try
        {
            var run = await WaitForAsync(second.Services.GetRequiredService<RunService>(), id, r => r.State.Status is RunStatus.Completed or RunStatus.Failed);

            Assert.Equal(RunStatus.Completed, run.State.Status);
            Assert.Equal([0, 1, 2, 3, 4], run.State.Curve.Select(p => p.Round));
            Assert.Equal(16, run.State.Samples.Count);
            Assert.All(_log.Generated.Values, n => Assert.Equal(1, n));
            Assert.Equal(100L * _log.Generated.Count, run.State.Spent.TeacherTokens);
        }
        finally
        {
            await SelectionHost.StopAsync(second);
        }
    }

    [Fact]
    public async Task A_cancelled_run_stops_within_seconds_reports_what_it_has_and_can_be_resumed()
    {
        _log.TrainDelay = TimeSpan.FromSeconds(2);
        var host = await SelectionHost.StartAsync(redis.ConnectionString, _artifacts, _log);
        try
        {
            var runs = host.Services.GetRequiredService<RunService>();
            var id = (await runs.StartAsync(Specs.Small(rounds: 3), "cancel-1", CancellationToken.None)).Id;
            await WaitForAsync(runs, id, r => r.State.Round >= 1);

            var clock = Stopwatch.StartNew();
            var cancelled = await runs.CancelAsync(id, "test");
            clock.Stop();

            Assert.Equal(RunStatus.Cancelled, cancelled.State.Status);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"cancel took {clock.Elapsed.TotalSeconds:0.0} s");
            var view = cancelled.ToContract(RunView.Full);
            Assert.Equal("cancelled: test", view.StopReason);
            Assert.True(File.Exists(Path.Combine(_artifacts, view.Report.Path)), "a cancelled run reports what it did");

            _log.TrainDelay = TimeSpan.FromMilliseconds(20);
            await runs.ResumeAsync(id, null);
            var resumed = await WaitForAsync(runs, id, r => r.State.Status is RunStatus.Completed or RunStatus.Failed);
            Assert.Equal(RunStatus.Completed, resumed.State.Status);
            Assert.Equal([0, 1, 2, 3], resumed.State.Curve.Select(p => p.Round));
        }
        finally
        {
            await SelectionHost.StopAsync(host);
        }
    }

    [Fact]
    public async Task A_bad_spec_is_refused_before_anything_is_stored()
    {
        var host = await SelectionHost.StartAsync(redis.ConnectionString, _artifacts, _log);
        try
        {
            var runs = host.Services.GetRequiredService<RunService>();
            var spec = Specs.Small();
            spec.Strategy.Name = "nope";

            var ex = await Assert.ThrowsAsync<SpecValidationException>(() => runs.StartAsync(spec, "bad-1", CancellationToken.None));

            Assert.Contains(ex.Errors, e => e.Field == "spec.strategy.name");
            Assert.Null(await host.Services.GetRequiredService<RedisRunStore>().GetAsync("bad-1"));
            await Assert.ThrowsAsync<SpecValidationException>(() => runs.StartAsync(Specs.Small(), "Bad/Id", CancellationToken.None));
        }
        finally
        {
            await SelectionHost.StopAsync(host);
        }
    }

    /// <summary>The run's state as stored, read with a connection of its own (no service is running).</summary>
    private async Task<Core.Loop.LoopState> ReadStateAsync(string id)
    {
        using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var json = await connection.GetDatabase().StringGetAsync(RunKeys.State(id));
        return json.IsNullOrEmpty ? throw new InvalidOperationException($"no run {id}") : LoopStateJson.Deserialize(json.ToString());
    }

    private static async Task<StoredRun> WaitForAsync(RunService runs, string id, Func<StoredRun, bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var run = await runs.GetAsync(id);
            if (condition(run))
            {
                return run;
            }
            if (clock.Elapsed > RunTimeout)
            {
                Assert.Fail($"run {id} did not get there within {RunTimeout.TotalSeconds:0} s: {run.State.Status} round {run.State.Round} stage {run.State.Stage} {run.State.FailureReason}");
            }
            await Task.Delay(50);
        }
    }
}
