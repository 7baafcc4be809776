using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Loop;
using ActiveSynth.Reports;
using ActiveSynth.Selection.Reports;
using ActiveSynth.Selection.Telemetry;
using Google.Protobuf.WellKnownTypes;
using LoopRunState = ActiveSynth.Core.Loop.RunState;

namespace ActiveSynth.Selection.Runs;

/// <summary>
/// The loop's observer for one run: durable saves (state + metadata in one transaction), progress events (round started,
/// stage completed with its duration, selection, learning-curve point, budget usage), logs and metrics.
/// </summary>
public sealed class RunObserver(RunStore store, RunEventLog events, RunReportWriter reports, SelectionTelemetry telemetry, ILogger logger,
    RunSpec spec, RunMeta meta) : IRunObserver
{
    private string Strategy => spec.Strategy?.Name ?? "";

    /// <summary>Saves; the save that ends the run writes the report first, so a finished run is never seen without its report.</summary>
    public async Task SaveAsync(LoopRunState state, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Status is RunStatus.Completed or RunStatus.Failed or RunStatus.Cancelled && meta.Report is null)
        {
            meta.FinishedAt ??= DateTimeOffset.UtcNow;
            try
            {
                meta.Report = await reports.WriteAsync(new StoredRun(state.RunId, spec, state, meta), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
            {
                logger.ReportFailed(ex, state.RunId);
            }
        }
        await store.SaveAsync(state, meta).ConfigureAwait(false);
    }

    public async Task StageCompletedAsync(LoopRunState state, LoopStage stage, TimeSpan duration, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(state);
        switch (stage)
        {
            case LoopStage.Evaluate0:
                await StageAsync(state, 0, RunStage.Evaluate, duration.TotalSeconds, meta.TestItems, ct).ConfigureAwait(false);
                meta.RoundFinishedAt[0] = DateTimeOffset.UtcNow;
                break;
            case LoopStage.Score:
                await StageAsync(state, state.Round, RunStage.Score, duration.TotalSeconds, state.Seeds.Count, ct).ConfigureAwait(false);
                await events.AppendAsync(state.RunId, state.Round, e =>
                {
                    e.SelectionMade = new SelectionMade { Strategy = Strategy };
                    e.SelectionMade.Picks.AddRange(state.Picks.Select((p, rank) => new Pick { ItemId = p.Id, Score = p.Score, Rank = rank }));
                }, ct).ConfigureAwait(false);
                break;
            case LoopStage.Generate:
                await StageAsync(state, state.Round, RunStage.Generate, duration.TotalSeconds, state.Generated.Count, ct).ConfigureAwait(false);
                await BudgetEventAsync(state, ct).ConfigureAwait(false);
                break;
            case LoopStage.Train:
                var eval = Math.Min(meta.EvalSeconds.GetValueOrDefault(state.Round), duration.TotalSeconds);
                await StageAsync(state, state.Round, RunStage.Train, duration.TotalSeconds - eval, state.Samples.Count, ct).ConfigureAwait(false);
                await StageAsync(state, state.Round, RunStage.Evaluate, eval, meta.TestItems, ct).ConfigureAwait(false);
                meta.RoundFinishedAt[state.Round] = DateTimeOffset.UtcNow;
                break;
            case LoopStage.RoundDone when state.Status == RunStatus.Running:
                meta.RoundStartedAt[state.Round] = DateTimeOffset.UtcNow;
                logger.RoundStarted(state.RunId, state.Round);
                await events.AppendAsync(state.RunId, state.Round,
                    e => e.RoundStarted = new RoundStarted { Round = state.Round, CheckpointId = state.Checkpoint?.Id ?? "" }, ct).ConfigureAwait(false);
                break;
            default:
                break;
        }
        await store.SaveAsync(state, meta).ConfigureAwait(false);
    }

    public async Task CurvePointAsync(LoopRunState state, CurvePoint point, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(point);
        if (state.Checkpoint is { } checkpoint)
        {
            meta.Checkpoints[point.Round] = checkpoint;
        }
        meta.TeacherCallsAt[point.Round] = state.Spent.TeacherCalls;
        meta.ElapsedAt[point.Round] = state.Elapsed.TotalSeconds;
        telemetry.CurvePoint(state.RunId, Strategy, point.Accuracy, point.Round);
        logger.CurvePoint(state.RunId, point.Round, point.Accuracy, point.Samples, point.TeacherTokens);
        await events.AppendAsync(state.RunId, point.Round, e => e.CurvePoint = point.ToContract(meta, meta.TestItems), ct).ConfigureAwait(false);
        await BudgetEventAsync(state, ct).ConfigureAwait(false);
    }

    private async Task StageAsync(LoopRunState state, int round, RunStage stage, double seconds, int items, CancellationToken ct)
    {
        var name = stage.ToString().ToUpperInvariant();
        meta.StageTimes.Add(new StageTime(round, name, seconds));
        telemetry.Stage(name.ToLowerInvariant(), seconds);
        logger.StageCompleted(state.RunId, round, name.ToLowerInvariant(), seconds);
        await events.AppendAsync(state.RunId, round, e => e.StageCompleted = new StageCompleted
        {
            Stage = stage,
            Duration = Duration.FromTimeSpan(TimeSpan.FromSeconds(seconds)),
            Items = items,
        }, ct).ConfigureAwait(false);
    }

    private async Task BudgetEventAsync(LoopRunState state, CancellationToken ct)
    {
        telemetry.Budget(state.RunId, state.Spent.Samples, state.Spent.TeacherTokens, state.Spent.TeacherCalls, state.Spent.CostUsd);
        await events.AppendAsync(state.RunId, state.Round, e => e.BudgetUsage = RunViews.Usage(state, spec.Budget), ct).ConfigureAwait(false);
    }
}
