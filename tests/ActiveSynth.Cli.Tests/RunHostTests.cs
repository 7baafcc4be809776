using System.Collections.Concurrent;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Engine.Runs;
using Google.Protobuf;

namespace ActiveSynth.Cli.Tests;

/// <summary>
/// The engine's run host over a store in memory and a transport whose work never comes back (nothing is trained): what it stores
/// when it creates a run, and how a run stops: cancelled (reported, finished, released), paused by a shutdown (left running, to be
/// resumed), interrupted by its store (waited for, then gone on with).
/// </summary>
public sealed class RunHostTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("activesynth-run-host-").FullName;
    private readonly MemoryStore _store = new();
    private readonly StalledTransport _transport = new();
    private readonly Listener _listener = new();
    private int _reports;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RunSpec Spec() => EmbeddedRecipe.Spec("loss-high", randomSeed: 11, samplesPerRound: 4, maxRounds: 2, seedPoolSize: 20, testSetSize: 6);

    [Fact]
    public async Task Create_stores_a_pending_run_with_its_pool_test_set_and_first_event_and_refuses_a_taken_id()
    {
        var host = Host();

        var run = await host.CreateAsync("r1", Spec(), pricing: null, CancellationToken.None) ?? throw new InvalidOperationException("not created");

        Assert.Equal(RunStatus.Pending, run.State.Status);
        Assert.Equal(20, run.State.Seeds.Count);
        Assert.Equal(6, run.Meta.TestItems);
        Assert.True(File.Exists(Path.Combine(_dir, "runs", "r1", "test.jsonl")));
        Assert.Same(run, _store.Runs["r1"]);
        var accepted = Assert.Single(_store.Events);
        Assert.Equal(("r1", 1L, "accepted"), (accepted.RunId, accepted.Sequence, accepted.StateChanged.Reason));

        Assert.Null(await host.CreateAsync("r1", Spec(), pricing: null, CancellationToken.None));
        var bad = Spec();
        bad.Strategy.Name = "nope";
        var refused = await Assert.ThrowsAsync<SpecValidationException>(() => host.CreateAsync("r2", bad, pricing: null, CancellationToken.None));
        Assert.Contains(refused.Errors, e => e.Field == "spec.strategy.name");
        Assert.False(_store.Runs.ContainsKey("r2"));
    }

    [Fact]
    public async Task A_cancel_ends_the_run_cancelled_with_its_reason_a_report_and_a_last_event_and_releases_it()
    {
        var host = Host();
        await host.CreateAsync("r1", Spec(), pricing: null, CancellationToken.None);
        using var cts = new CancellationTokenSource();

        var execution = host.ExecuteAsync("r1", () => "test", progress: null, cts.Token);
        await _transport.Asked.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cts.CancelAsync();
        var run = await execution.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(RunStatus.Cancelled, run.State.Status);
        Assert.Equal("test", run.Meta.CancelReason);
        Assert.NotNull(run.Meta.FinishedAt);
        Assert.NotNull(run.Meta.Report);
        Assert.Equal(1, _reports);
        Assert.Equal(RunEvent.KindOneofCase.RunFinished, _store.Events[^1].KindCase);
        Assert.Equal(["started", "cancelled", "report", "finished"], _listener.Calls);
        Assert.Equal(["r1"], _store.Released);
        Assert.Equal(Enumerable.Range(1, _store.Events.Count).Select(i => (long)i), _store.Events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task A_shutdown_leaves_the_run_running_without_a_report_and_it_resumes_from_where_it_was()
    {
        var host = Host();
        await host.CreateAsync("r1", Spec(), pricing: null, CancellationToken.None);
        using var cts = new CancellationTokenSource();

        var execution = host.ExecuteAsync("r1", () => null, progress: null, cts.Token);
        await _transport.Asked.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cts.CancelAsync();
        var run = await execution.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(RunStatus.Running, run.State.Status);
        Assert.Null(run.State.StopReason);
        Assert.Null(run.Meta.FinishedAt);
        Assert.Null(run.Meta.Report);
        Assert.Null(run.Meta.CancelReason);
        Assert.DoesNotContain(_store.Events, e => e.KindCase == RunEvent.KindOneofCase.RunFinished);
        Assert.Empty(_store.Released);
        Assert.Equal(["started", "paused"], _listener.Calls);

        _transport.Reset();
        using var again = new CancellationTokenSource();
        var resumed = host.ExecuteAsync("r1", () => "test", progress: null, again.Token);
        await _transport.Asked.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await again.CancelAsync();
        await resumed.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("resumed", _store.Events.Last(e => e.KindCase == RunEvent.KindOneofCase.StateChanged).StateChanged.Reason);
    }

    [Fact]
    public async Task A_store_that_is_unavailable_interrupts_the_run_which_goes_on_once_it_answers()
    {
        var host = Host();
        var run = await host.CreateAsync("r1", Spec(), pricing: null, CancellationToken.None) ?? throw new InvalidOperationException("not created");
        run.State.Status = RunStatus.Completed; // finished before its report was written: executing it finishes it off
        _store.UnavailableReads = 2;

        var finished = await host.ExecuteAsync("r1", () => "test", progress: null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(RunStatus.Completed, finished.State.Status);
        Assert.Equal(2, _store.Waits);
        Assert.Equal(["interrupted", "interrupted", "report", "finished"], _listener.Calls);
        Assert.Equal(1, _reports);
        Assert.Equal(RunEvent.KindOneofCase.RunFinished, _store.Events[^1].KindCase);
    }

    [Fact]
    public async Task A_cancelled_run_opened_again_is_reopened_under_the_command_s_spec()
    {
        var host = Host();
        var run = await host.CreateAsync("r1", Spec(), pricing: null, CancellationToken.None) ?? throw new InvalidOperationException("not created");
        run.State.Status = RunStatus.Cancelled;
        run.State.StopReason = "cancelled";
        run.Meta.CancelReason = "requested";
        run.Meta.FinishedAt = DateTimeOffset.UtcNow;
        var spec = Spec();
        spec.MaxRounds = 3;

        var opened = await host.OpenAsync("r1", spec, pricing: null, CancellationToken.None);

        Assert.Equal(RunStatus.Running, opened.State.Status);
        Assert.Null(opened.State.StopReason);
        Assert.Null(opened.Meta.CancelReason);
        Assert.Null(opened.Meta.FinishedAt);
        Assert.Equal(3, _store.Runs["r1"].Spec.MaxRounds);
        Assert.Equal(20, opened.State.Seeds.Count); // the stored pool, not a new one
    }

    private RunHost Host() => new(_store, new ArtifactStore(_dir), new RunPlanOptions(), _ => _transport, (run, _) =>
    {
        Interlocked.Increment(ref _reports);
        var file = new ArtifactInfo($"runs/{run.Id}/report.json", "ab", 1, "application/json");
        return Task.FromResult(new ReportArtifacts(file, file, file, file, []));
    }, _listener);

    /// <summary>Runs in memory; a read fails as an outage <see cref="UnavailableReads"/> times.</summary>
    private sealed class MemoryStore : IRunStore
    {
        public ConcurrentDictionary<string, StoredRun> Runs { get; } = new();

        public List<RunEvent> Events { get; } = [];

        public List<string> Released { get; } = [];

        public int UnavailableReads { get; set; }

        public int Waits { get; private set; }

        public Task<bool> CreateAsync(StoredRun run, CancellationToken ct = default) => Task.FromResult(Runs.TryAdd(run.Id, run));

        public Task<StoredRun?> GetAsync(string runId, CancellationToken ct = default)
        {
            if (UnavailableReads > 0)
            {
                UnavailableReads--;
                throw new TimeoutException("the store is away");
            }
            return Task.FromResult(Runs.TryGetValue(runId, out var run) ? run : null);
        }

        public Task SaveAsync(LoopState state, RunMeta meta, CancellationToken ct = default)
        {
            meta.UpdatedAt = DateTimeOffset.UtcNow;
            Runs[state.RunId] = Runs[state.RunId] with { State = state, Meta = meta };
            return Task.CompletedTask;
        }

        public Task SaveSpecAsync(string runId, RunSpec spec, CancellationToken ct = default)
        {
            Runs[runId] = Runs[runId] with { Spec = spec };
            return Task.CompletedTask;
        }

        public Task AppendEventAsync(RunEvent @event, CancellationToken ct = default)
        {
            lock (Events)
            {
                @event.Sequence = Events.Count(e => e.RunId == @event.RunId) + 1;
                Events.Add(@event.Clone());
            }
            return Task.CompletedTask;
        }

        public Task ReleaseAsync(StoredRun run, CancellationToken ct = default)
        {
            Released.Add(run.Id);
            return Task.CompletedTask;
        }

        public bool IsUnavailable(Exception error) => error is TimeoutException;

        public Task WaitUntilAvailableAsync(CancellationToken ct)
        {
            Waits++;
            return Task.CompletedTask;
        }
    }

    /// <summary>Takes every request and never answers it (until cancelled).</summary>
    private sealed class StalledTransport : IWorkTransport
    {
        public TaskCompletionSource Asked { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Reset() => Asked = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<TResult> RequestAsync<TRequest, TResult>(WorkKind kind, string key, TRequest request, CancellationToken ct)
            where TRequest : IMessage<TRequest>
            where TResult : IMessage<TResult>, new()
        {
            Asked.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        }

        public Task<TResult?> TryGetStoredAsync<TResult>(string runId, string key, CancellationToken ct) where TResult : IMessage<TResult>, new() =>
            Task.FromResult<TResult?>(default);

        public Task ForgetAsync(string runId, IReadOnlyCollection<string> keys, CancellationToken ct) => Task.CompletedTask;
    }

    private sealed class Listener : IRunListener
    {
        public List<string> Calls { get; } = [];

        public void Started(StoredRun run, bool resumed) => Calls.Add("started");

        public void Paused(StoredRun run) => Calls.Add("paused");

        public void Interrupted(string runId, Exception error) => Calls.Add("interrupted");

        public void Cancelled(StoredRun run) => Calls.Add("cancelled");

        public void ReportWritten(StoredRun run) => Calls.Add("report");

        public void Finished(StoredRun run) => Calls.Add("finished");
    }
}
