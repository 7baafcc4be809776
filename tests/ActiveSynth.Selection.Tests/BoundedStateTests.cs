using System.Diagnostics;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Selection.Runs;
using ActiveSynth.Selection.Tests.Support;
using ActiveSynth.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace ActiveSynth.Selection.Tests;

/// <summary>
/// Redis stays bounded (over a real redis-server, the Selection service on a real socket, fake workers in the same process): a finished
/// run leaves no transient keys, DeleteRun removes every key and artifact of a run and nothing of another, a running run is refused
/// without force, the retention sweeper deletes old finished runs only, and the memory health check warns before maxmemory.
/// </summary>
public sealed class BoundedStateTests : IAsyncLifetime
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);
    private readonly string _artifacts = Directory.CreateTempSubdirectory("selection-bounded-").FullName;
    private readonly WorkerLog _log = new();
    private RedisServerProcess _redis = null!;
    private ConnectionMultiplexer _connection = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServerProcess.StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString + ",allowAdmin=true");
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _redis.DisposeAsync();
        Directory.Delete(_artifacts, recursive: true);
    }

    [Fact]
    public async Task A_finished_run_keeps_its_spec_state_meta_and_events_and_no_stored_reply_marker_or_lease()
    {
        await using var host = await SelectionGrpcHost.StartAsync(_redis.ConnectionString, _artifacts, _log);
        using var channel = GrpcChannel.ForAddress(host.Address);
        var runs = new Contracts.V1.Runs.RunsClient(channel);

        await runs.StartRunAsync(new StartRunRequest { Spec = Specs.Small(rounds: 2), RunId = "done-1" });
        var run = await WaitForAsync(runs, "done-1", r => r.State is Contracts.V1.RunState.Completed or Contracts.V1.RunState.Failed);

        Assert.Equal(Contracts.V1.RunState.Completed, run.State);
        Assert.Equal(2, _log.Trained.Count(t => t.Key.StartsWith("done-1/", StringComparison.Ordinal) && t.Key != "done-1/0/base"));
        // Deleted at the end of FinishAsync, after the last event: wait for it rather than race it.
        await WaitUntilAsync(() => Keys("activesynth:run:done-1:result:*").Count == 0, "the stored replies to be deleted");
        Assert.Empty(Keys("activesynth:run:done-1:result:*"));
        Assert.Empty(Keys("*:done-1/*")); // the streams' done markers of its requests
        Assert.Equal(
            ["activesynth:run:done-1:events", "activesynth:run:done-1:meta", "activesynth:run:done-1:seq", "activesynth:run:done-1:spec", "activesynth:run:done-1:state"],
            Keys("activesynth:run:done-1:*").Order(StringComparer.Ordinal));
        var again = await runs.GetRunAsync(new GetRunRequest { RunId = "done-1" });
        Assert.Equal(3, again.Curve.Count);
        Assert.True(File.Exists(Path.Combine(_artifacts, again.Report.Path)));
        var events = runs.WatchRun(new WatchRunRequest { RunId = "done-1", FromStart = true });
        var kinds = new List<RunEvent.KindOneofCase>();
        await foreach (var e in events.ResponseStream.ReadAllAsync())
        {
            kinds.Add(e.KindCase);
        }
        Assert.Equal(RunEvent.KindOneofCase.RunFinished, kinds[^1]);
    }

    [Fact]
    public async Task With_KeepReplies_a_finished_run_keeps_its_stored_replies_for_audits()
    {
        await using var host = await SelectionGrpcHost.StartAsync(_redis.ConnectionString, _artifacts, _log, new Dictionary<string, string?>
        {
            ["Selection:Retention:KeepReplies"] = "true",
        });
        using var channel = GrpcChannel.ForAddress(host.Address);
        var runs = new Contracts.V1.Runs.RunsClient(channel);

        await runs.StartRunAsync(new StartRunRequest { Spec = Specs.Small(rounds: 1), RunId = "audit-1" });
        await WaitForAsync(runs, "audit-1", r => r.State == Contracts.V1.RunState.Completed);
        await Task.Delay(500); // past FinishAsync's last step

        Assert.Contains("activesynth:run:audit-1:result:audit-1/1/train", Keys("activesynth:run:audit-1:result:*"));
        Assert.Contains("activesynth:run:audit-1:result:audit-1/0/base", Keys("activesynth:run:audit-1:result:*"));
    }

    [Fact]
    public async Task DeleteRun_removes_every_key_and_the_artifacts_of_the_run_and_nothing_of_another()
    {
        await using var host = await SelectionGrpcHost.StartAsync(_redis.ConnectionString, _artifacts, _log);
        using var channel = GrpcChannel.ForAddress(host.Address);
        var runs = new Contracts.V1.Runs.RunsClient(channel);
        await runs.StartRunAsync(new StartRunRequest { Spec = Specs.Small(rounds: 1), RunId = "keep-1" });
        await runs.StartRunAsync(new StartRunRequest { Spec = Specs.Small(rounds: 1), RunId = "gone-1" });
        await WaitForAsync(runs, "keep-1", r => r.State == Contracts.V1.RunState.Completed);
        await WaitForAsync(runs, "gone-1", r => r.State == Contracts.V1.RunState.Completed);
        await WaitUntilAsync(() => Keys("activesynth:run:*:result:*").Count == 0, "the stored replies to be deleted");
        // A key of the run outside its prefix, as a teacher checking duplicates would leave it.
        await _connection.GetDatabase().HashSetAsync("activesynth:teacher:seen:gone-1", "hash", "s1");
        var keptKeys = Keys("*keep-1*").Order(StringComparer.Ordinal).ToList();
        var keptFiles = Files("runs/keep-1");
        Assert.NotEmpty(Keys("activesynth:run:gone-1:*"));
        Assert.True(Directory.Exists(Path.Combine(_artifacts, "runs/gone-1")));

        var reply = await runs.DeleteRunAsync(new DeleteRunRequest { RunId = "gone-1" });

        Assert.Equal("gone-1", reply.RunId);
        Assert.True(reply.KeysDeleted >= 6, $"{reply.KeysDeleted} keys"); // spec, state, meta, events, seq, seen questions
        Assert.True(reply.FilesDeleted > 3, $"{reply.FilesDeleted} files");
        Assert.Empty(Keys("*gone-1*"));
        Assert.Null(await _connection.GetDatabase().SortedSetScoreAsync(RunKeys.Index, "gone-1"));
        Assert.False(Directory.Exists(Path.Combine(_artifacts, "runs/gone-1")));
        Assert.Equal(keptKeys, Keys("*keep-1*").Order(StringComparer.Ordinal));
        Assert.Equal(keptFiles, Files("runs/keep-1"));
        Assert.Equal(["keep-1"], (await runs.ListRunsAsync(new ListRunsRequest())).Runs.Select(r => r.Id));

        var missing = await Assert.ThrowsAsync<RpcException>(async () => await runs.DeleteRunAsync(new DeleteRunRequest { RunId = "gone-1" }));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        var gone = await Assert.ThrowsAsync<RpcException>(async () => await runs.GetRunAsync(new GetRunRequest { RunId = "gone-1" }));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        foreach (var bad in new[] { "", "../keep-1", "Keep-1", "a*" })
        {
            var invalid = await Assert.ThrowsAsync<RpcException>(async () => await runs.DeleteRunAsync(new DeleteRunRequest { RunId = bad }));
            Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
            Assert.StartsWith("run_id: ", invalid.Status.Detail, StringComparison.Ordinal);
        }
        Assert.Equal(keptKeys, Keys("*keep-1*").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_running_run_is_refused_without_force_and_cancelled_then_deleted_with_it()
    {
        _log.TrainDelay = TimeSpan.FromSeconds(60); // its train reply never comes back while the test looks
        await using var host = await SelectionGrpcHost.StartAsync(_redis.ConnectionString, _artifacts, _log);
        using var channel = GrpcChannel.ForAddress(host.Address);
        var runs = new Contracts.V1.Runs.RunsClient(channel);
        await runs.StartRunAsync(new StartRunRequest { Spec = Specs.Small(rounds: 2), RunId = "busy-1" });
        await WaitUntilAsync(() => host.Services.GetRequiredService<RunSupervisor>().IsActive("busy-1") && Keys("activesynth:run:busy-1:*").Count >= 5,
            "the run to execute");
        var before = Keys("activesynth:run:busy-1:*").Order(StringComparer.Ordinal).ToList();

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await runs.DeleteRunAsync(new DeleteRunRequest { RunId = "busy-1" }));

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("run_id: run 'busy-1' is", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("force", refused.Status.Detail, StringComparison.Ordinal);
        Assert.True(host.Services.GetRequiredService<RunSupervisor>().IsActive("busy-1"));
        Assert.Equal(before, Keys("activesynth:run:busy-1:*").Order(StringComparer.Ordinal));
        Assert.True(Directory.Exists(Path.Combine(_artifacts, "runs/busy-1")));

        var clock = Stopwatch.StartNew();
        var reply = await runs.DeleteRunAsync(new DeleteRunRequest { RunId = "busy-1", Force = true });

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(reply.KeysDeleted >= 5, $"{reply.KeysDeleted} keys");
        Assert.False(host.Services.GetRequiredService<RunSupervisor>().IsActive("busy-1"));
        Assert.Empty(Keys("activesynth:run:busy-1:*"));
        Assert.Empty(Keys("*:busy-1/*"));
        Assert.False(Directory.Exists(Path.Combine(_artifacts, "runs/busy-1")));
    }

    [Fact]
    public async Task The_retention_sweeper_deletes_a_run_finished_before_the_retention_and_keeps_a_recent_one()
    {
        await using var host = await SelectionGrpcHost.StartAsync(_redis.ConnectionString, _artifacts, _log, new Dictionary<string, string?>
        {
            ["Selection:Retention:FinishedRuns"] = "1.00:00:00",
            ["Selection:Retention:SweepInterval"] = "00:00:01",
        });
        using var channel = GrpcChannel.ForAddress(host.Address);
        var runs = new Contracts.V1.Runs.RunsClient(channel);
        await runs.StartRunAsync(new StartRunRequest { Spec = Specs.Small(rounds: 1), RunId = "old-1" });
        await runs.StartRunAsync(new StartRunRequest { Spec = Specs.Small(rounds: 1), RunId = "new-1" });
        await WaitForAsync(runs, "old-1", r => r.State == Contracts.V1.RunState.Completed);
        await WaitForAsync(runs, "new-1", r => r.State == Contracts.V1.RunState.Completed);
        await Task.Delay(1500); // a sweep or two with both recent: nothing goes
        Assert.NotEmpty(Keys("activesynth:run:old-1:*"));

        // Finished ten days ago.
        var store = host.Services.GetRequiredService<RedisRunStore>();
        var old = await store.GetAsync("old-1") ?? throw new InvalidOperationException("old-1 is not stored");
        old.Meta.FinishedAt = DateTimeOffset.UtcNow.AddDays(-10);
        await store.SaveAsync(old.State, old.Meta);

        await WaitUntilAsync(() => Keys("*old-1*").Count == 0, "the sweeper to delete old-1");
        Assert.False(Directory.Exists(Path.Combine(_artifacts, "runs/old-1")));
        Assert.Null(await _connection.GetDatabase().SortedSetScoreAsync(RunKeys.Index, "old-1"));
        Assert.Equal(Contracts.V1.RunState.Completed, (await runs.GetRunAsync(new GetRunRequest { RunId = "new-1" })).State);
        Assert.Equal(5, Keys("activesynth:run:new-1:*").Count);
        Assert.True(Directory.Exists(Path.Combine(_artifacts, "runs/new-1")));
    }

    [Fact]
    public async Task The_memory_health_check_is_degraded_above_its_share_of_maxmemory_naming_the_figures()
    {
        await using var host = await SelectionGrpcHost.StartAsync(_redis.ConnectionString, _artifacts, _log, new Dictionary<string, string?>
        {
            ["Messaging:RedisMemory:DegradedAbove"] = "0.8",
        });
        var health = host.Services.GetRequiredService<HealthCheckService>();
        var server = _connection.GetServer(_connection.GetEndPoints()[0]);
        var used = long.Parse((await server.InfoAsync("memory")).SelectMany(g => g).First(p => p.Key == "used_memory").Value,
            System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            await server.ConfigSetAsync("maxmemory", (used * 20).ToString(System.Globalization.CultureInfo.InvariantCulture));
            var low = (await health.CheckHealthAsync(r => r.Name == "redis-memory")).Entries["redis-memory"];
            Assert.Equal(HealthStatus.Healthy, low.Status);

            await server.ConfigSetAsync("maxmemory", (used * 100 / 90).ToString(System.Globalization.CultureInfo.InvariantCulture)); // about 90 % used
            var high = (await health.CheckHealthAsync(r => r.Name == "redis-memory")).Entries["redis-memory"];

            Assert.Equal(HealthStatus.Degraded, high.Status);
            Assert.Contains("of maxmemory", high.Description, StringComparison.Ordinal);
            Assert.Contains("above 80", high.Description, StringComparison.Ordinal);
            Assert.Equal(used * 100 / 90, (long)high.Data["maxmemory"]);
            Assert.True((long)high.Data["used_memory"] > (long)high.Data["maxmemory"] * 8 / 10);
        }
        finally
        {
            await server.ConfigSetAsync("maxmemory", "0");
        }
        var unbounded = (await health.CheckHealthAsync(r => r.Name == "redis-memory")).Entries["redis-memory"];
        Assert.Equal(HealthStatus.Degraded, unbounded.Status);
        Assert.Contains("no maxmemory", unbounded.Description, StringComparison.Ordinal);
    }

    private List<string> Keys(string pattern) =>
        [.. _connection.GetServer(_connection.GetEndPoints()[0]).Keys(pattern: pattern, pageSize: 1000).Select(k => k.ToString())];

    private List<string> Files(string relative)
    {
        var root = Path.Combine(_artifacts, relative);
        return [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal)];
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(20))
            {
                Assert.Fail($"timed out waiting for {what}");
            }
            await Task.Delay(50);
        }
    }

    private static async Task<Run> WaitForAsync(Contracts.V1.Runs.RunsClient runs, string id, Func<Run, bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var run = await runs.GetRunAsync(new GetRunRequest { RunId = id, View = RunView.Basic });
            if (condition(run))
            {
                return run;
            }
            if (clock.Elapsed > RunTimeout)
            {
                Assert.Fail($"run {id} did not get there within {RunTimeout.TotalSeconds:0} s: {run.State} round {run.Round}");
            }
            await Task.Delay(50);
        }
    }
}
