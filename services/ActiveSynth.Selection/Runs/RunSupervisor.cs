using System.Collections.Concurrent;
using System.Diagnostics;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Runs;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Selection.Runs;

/// <summary>
/// Owns the runs executing in this process. On start it resumes every unfinished run from its last durable step (and writes
/// the report of a run that finished before its report was written); StartRun and ResumeRun launch runs through it, CancelRun
/// stops them. On shutdown every run is stopped at its next await and left RUNNING, to be resumed at the next start.
/// </summary>
public sealed partial class RunSupervisor(RedisRunStore store, RunHost host, IHostApplicationLifetime lifetime, ILogger<RunSupervisor> logger)
    : BackgroundService
{
    private readonly ConcurrentDictionary<string, ActiveRun> _active = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    private int _admitting;

    public bool IsActive(string runId) => _active.ContainsKey(runId);

    /// <summary>
    /// Holds one of <paramref name="maxRuns"/> places for a run about to be created or resumed and launched (dispose after
    /// <see cref="Launch"/>): the runs executing here and those being admitted count, so two concurrent StartRuns cannot both take
    /// the last place. <see cref="LimitExceededException"/> naming <c>Selection:MaxConcurrentRuns</c> when none is left. Runs this
    /// service resumes at its start are not counted against it: they were admitted before.
    /// </summary>
    public IDisposable Admit(int maxRuns)
    {
        lock (_gate)
        {
            var taken = _active.Count + _admitting;
            if (taken >= maxRuns)
            {
                throw new LimitExceededException(null,
                    $"{taken} runs are pending or running here, the most Selection:MaxConcurrentRuns = {maxRuns} allows; cancel one or wait for one to finish, then try again. Nothing was stored.");
            }
            _admitting++;
        }
        return new Admission(this);
    }

    /// <summary>Starts executing <paramref name="runId"/> unless it already executes here.</summary>
    public void Launch(string runId)
    {
        lock (_gate)
        {
            if (_active.ContainsKey(runId) || lifetime.ApplicationStopping.IsCancellationRequested)
            {
                return;
            }
            var handle = new ActiveRun(CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping));
            _active[runId] = handle;
            handle.Completion = Task.Run(() => ExecuteRunAsync(runId, handle));
        }
    }

    /// <summary>Cancels an executing run and waits (up to <paramref name="wait"/>) for its state to be saved. False if it was not executing here.</summary>
    public async Task<bool> CancelAsync(string runId, string reason, TimeSpan wait)
    {
        ActiveRun? handle;
        lock (_gate) // the handle's token source is disposed under the same lock when the run ends
        {
            if (!_active.TryGetValue(runId, out handle))
            {
                return false;
            }
            handle.Cancel(reason);
        }
        try
        {
            await handle.Completion.WaitAsync(wait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogCancelSlow(logger, runId, wait.TotalSeconds);
        }
        return true;
    }

    /// <summary>Waits (up to <paramref name="wait"/>) until <paramref name="runId"/> no longer executes here; true when it does not.</summary>
    public async Task<bool> WaitStoppedAsync(string runId, TimeSpan wait)
    {
        if (!_active.TryGetValue(runId, out var handle))
        {
            return true;
        }
        try
        {
            await handle.Completion.WaitAsync(wait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }
        return !_active.ContainsKey(runId);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var id in await store.ListIdsAsync().ConfigureAwait(false))
        {
            var run = await store.GetAsync(id).ConfigureAwait(false);
            if (run is not null && (run.State.Status is RunStatus.Pending or RunStatus.Running || run.Meta.Report is null))
            {
                LogResuming(logger, id, run.State.Status.ToString(), run.State.Round);
                Launch(id);
            }
        }
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: the runs see ApplicationStopping and save; wait for them below.
        }
        await Task.WhenAll(_active.Values.Select(a => a.Completion)).ConfigureAwait(false);
    }

    private async Task ExecuteRunAsync(string runId, ActiveRun handle)
    {
        // Not under the span of whoever launched it (StartRun's RPC, long answered): the run outlives it, each round starts its own
        // trace, and what the run does between stages belongs to no trace.
        Activity.Current = null;
        try
        {
            await host.ExecuteAsync(runId, () => handle.CancelReason, progress: null, handle.Cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (handle.Cancellation.IsCancellationRequested)
        {
            // stopped before the loop began
        }
        catch (Exception ex)
        {
            LogRunCrashed(logger, ex, runId);
        }
        finally
        {
            lock (_gate)
            {
                _active.TryRemove(runId, out _);
                handle.Cancellation.Dispose();
            }
        }
    }

    private sealed class Admission(RunSupervisor supervisor) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                lock (supervisor._gate)
                {
                    supervisor._admitting--;
                }
            }
        }
    }

    [LoggerMessage(EventId = 7030, Level = LogLevel.Information, Message = "Resuming run {RunId} ({Status}, round {Round}) from its last durable step")]
    private static partial void LogResuming(ILogger logger, string runId, string status, int round);

    [LoggerMessage(EventId = 7031, Level = LogLevel.Warning, Message = "Run {RunId} did not stop within {Seconds} s of its cancel")]
    private static partial void LogCancelSlow(ILogger logger, string runId, double seconds);

    [LoggerMessage(EventId = 7032, Level = LogLevel.Error, Message = "Run {RunId} stopped with an error outside its loop")]
    private static partial void LogRunCrashed(ILogger logger, Exception exception, string runId);
}
