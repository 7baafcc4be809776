using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;
using ActiveSynth.Hosting;
using ActiveSynth.Messaging.Requests;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Selection.Options;
using ActiveSynth.Reports;
using ActiveSynth.Selection.Telemetry;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ActiveSynth.Selection.Runs;

/// <summary>
/// Runs one run's loop from wherever its stored state stands, over the stream workers, then writes its report. A user's cancel
/// ends it CANCELLED (resumable); a shutdown leaves it RUNNING so the supervisor resumes it at the next start. A Redis outage
/// interrupts it without failing it: it waits until Redis answers, then resumes from the last durable save.
/// </summary>
public sealed class RunExecutor(
    RunStore store,
    RunEventLog events,
    RequestClient requests,
    ArtifactStore artifacts,
    RunReportWriter reports,
    SelectionTelemetry telemetry,
    IOptions<SelectionOptions> options,
    IConnectionMultiplexer redis,
    RunKeyspace keyspace,
    IOptions<RetentionOptions> retention,
    ILogger<RunExecutor> logger)
{
    public async Task ExecuteAsync(string runId, ActiveRun handle, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(handle);
        while (true)
        {
            try
            {
                await ExecuteFromStoreAsync(runId, handle, ct).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (RedisOutage.Is(ex) && !ct.IsCancellationRequested)
            {
                logger.RunInterrupted(runId, ex.GetType().Name);
                await RedisOutage.WaitUntilAvailableAsync(redis, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task ExecuteFromStoreAsync(string runId, ActiveRun handle, CancellationToken ct)
    {
        var run = await store.GetAsync(runId).ConfigureAwait(false) ?? throw new InvalidOperationException($"Run {runId} is not stored.");
        var (state, meta) = (run.State, run.Meta);
        if (state.Status is RunStatus.Completed or RunStatus.Failed or RunStatus.Cancelled)
        {
            await FinishAsync(run, CancellationToken.None).ConfigureAwait(false); // finished before its report was written
            return;
        }
        var plan = RunPlan.Create(run.Spec, options.Value);
        var strategy = StrategyRegistry.Create(plan.Loop.Strategy, plan.Loop.StrategyOptions);
        using var tracer = new RoundTracer(runId, strategy.Name);
        var context = new RunWorkContext(runId, plan, meta.TestSet ?? throw new InvalidOperationException($"Run {runId} has no test set."), tracer, meta.EvalSeconds)
        {
            // From the run's own metadata, not from round 0's stored reply: a finished run's replies are deleted, and a resumed
            // one must still train from the same base (the in-process engine does the same).
            BaseCheckpoint = meta.Checkpoints.TryGetValue(0, out var baseCheckpoint) ? baseCheckpoint.ToContract() : null,
        };
        var workers = new RequestLoopWorkers(context, new StreamWorkTransport(runId, requests, options.Value.TimeoutFor), artifacts);
        var observer = new RunObserver(store, events, reports, telemetry, logger, run.Spec, meta);
        await AnnounceStartAsync(run, ct).ConfigureAwait(false);
        try
        {
            await new ActiveLoop(plan.Loop, strategy, workers, observer, RedisOutage.Is).RunAsync(state, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested && !handle.CancelRequested)
        {
            state.Status = RunStatus.Running; // a shutdown, not a cancel: resume at the next start
            state.StopReason = null;
            meta.FinishedAt = null;
            meta.Report = null;
            await store.SaveAsync(state, meta).ConfigureAwait(false);
            logger.RunPaused(runId, state.Round);
            return;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            meta.CancelReason = handle.CancelReason;
            await store.SaveAsync(state, meta).ConfigureAwait(false);
            logger.RunCancelled(runId, handle.CancelReason ?? "");
        }
        catch (Exception ex) when (state.Status == RunStatus.Failed)
        {
            logger.RunFailed(ex, runId, state.FailureReason ?? ex.Message);
        }
        await FinishAsync(run, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task AnnounceStartAsync(StoredRun run, CancellationToken ct)
    {
        var state = run.State;
        var strategy = run.Spec.Strategy?.Name ?? "";
        telemetry.RunStarted(strategy);
        if (state.Curve.Count == 0 && state.Stage == LoopStage.Evaluate0)
        {
            logger.RunStarted(run.Id, strategy, run.Spec.SamplesPerRound, state.Seeds.Count, run.Meta.TestItems);
        }
        else
        {
            logger.RunResumed(run.Id, state.Round, state.Stage.ToString());
        }
        var previous = state.Status.ToContract();
        await events.AppendAsync(run.Id, state.Round, e => e.StateChanged = new RunStateChanged
        {
            Previous = previous,
            Current = Contracts.V1.RunState.Running,
            Reason = previous == Contracts.V1.RunState.Pending ? "started" : "resumed",
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the report (whatever the final state: a cancelled or failed run reports what it did) and the last event, then deletes
    /// the run's transient Redis keys (<see cref="RunKeyspace.DeleteTransientAsync"/>): a finished run keeps only what GetRun,
    /// WatchRun and its report read.
    /// </summary>
    public async Task FinishAsync(StoredRun run, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(run);
        var (state, meta) = (run.State, run.Meta);
        meta.FinishedAt ??= DateTimeOffset.UtcNow;
        if (meta.Report is null)
        {
            try
            {
                meta.Report = await reports.WriteAsync(run.ToReportInput(), ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
            {
                logger.ReportFailed(ex, run.Id);
            }
            await store.SaveAsync(state, meta).ConfigureAwait(false);
        }
        if (meta.Report is { } report)
        {
            logger.ReportWritten(run.Id, reports.FullPath(report.Json), reports.FullPath(report.Markdown), reports.FullPath(report.Dataset));
        }
        var final = state.Curve.LastOrDefault();
        telemetry.RunFinished(state.Status.ToString().ToLowerInvariant());
        logger.RunFinished(run.Id, state.Status.ToString(), state.StopReason ?? "", state.Curve.Count(p => p.Round > 0),
            final?.Accuracy ?? double.NaN, state.Elapsed.TotalSeconds);
        var view = run.ToContract(RunView.Basic);
        await events.AppendAsync(run.Id, state.Round, e =>
        {
            e.RunFinished = new RunFinished
            {
                State = view.State,
                StopReason = view.StopReason,
                FailureReason = view.FailureReason,
                Usage = view.Usage,
                Report = view.Report,
            };
            if (final is not null)
            {
                e.RunFinished.FinalPoint = final.ToContract(meta, meta.TestItems);
            }
        }, ct).ConfigureAwait(false);
        if (retention.Value.KeepReplies)
        {
            return;
        }
        try
        {
            logger.TransientKeysDeleted(run.Id, state.Status.ToString(), await keyspace.DeleteTransientAsync(run.Id, ct).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.TransientKeysNotDeleted(ex, run.Id, ex.GetType().Name);
        }
    }
}
