using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Reports;
using ActiveSynth.Selection.Telemetry;
using Google.Protobuf.WellKnownTypes;

namespace ActiveSynth.Selection.Runs;

/// <summary>
/// The loop's observer for one run: durable saves (state + metadata in one transaction, once per stage), progress events (round started,
/// stage completed with its duration, selection, learning-curve point, budget usage), logs and metrics.
/// </summary>
public sealed class RunObserver(RunStore store, RunEventLog events, RunReportWriter reports, SelectionTelemetry telemetry, ILogger logger,
    RunSpec spec, RunMeta meta) : IRunObserver
{
    private string Strategy => spec.Strategy?.Name ?? "";

    /// <summary>Saves; the save that ends the run writes the report first, so a finished run is never seen without its report.</summary>
    public async Task SaveAsync(LoopState state, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Status is RunStatus.Completed or RunStatus.Failed or RunStatus.Cancelled && meta.Report is null)
        {
            meta.FinishedAt ??= DateTimeOffset.UtcNow;
            try
            {
                meta.Report = await reports.WriteAsync(new StoredRun(state.RunId, spec, state, meta).ToReportInput(), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
            {
                logger.ReportFailed(ex, state.RunId);
            }
        }
        await store.SaveAsync(state, meta).ConfigureAwait(false);
    }

    public async Task StageCompletedAsync(LoopState state, LoopStage stage, TimeSpan duration, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var time in RunArtifacts.StageTimes(stage, state.Round, duration, meta.EvalSeconds))
        {
            await StageAsync(state, time, stage == LoopStage.Score ? state.Seeds.Count : StageItems(state, time), ct).ConfigureAwait(false);
        }
        switch (stage)
        {
            case LoopStage.Score:
                await events.AppendAsync(state.RunId, state.Round, e =>
                {
                    e.SelectionMade = new SelectionMade { Strategy = Strategy };
                    e.SelectionMade.Picks.AddRange(state.Picks.Select((p, rank) => new Pick { ItemId = p.Id, Score = p.Score, Rank = rank }));
                }, ct).ConfigureAwait(false);
                break;
            case LoopStage.Generate:
                await BudgetEventAsync(state, ct).ConfigureAwait(false);
                break;
            case LoopStage.Evaluate0 or LoopStage.Train:
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
        // No save here: the loop saved the stage's state just before, and the next stage's save carries this metadata along
        // (one Redis transaction per stage).
    }

    public async Task CurvePointAsync(LoopState state, CurvePoint point, CancellationToken ct)
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

    /// <summary>What a stage worked on: test items for an evaluation, generations for GENERATE, kept samples for TRAIN.</summary>
    private int StageItems(LoopState state, StageTime time) => time.Stage switch
    {
        "EVALUATE" => meta.TestItems,
        "GENERATE" => state.Generated.Count,
        _ => state.Samples.Count,
    };

    private async Task StageAsync(LoopState state, StageTime time, int items, CancellationToken ct)
    {
        meta.StageTimes.Add(time);
        telemetry.Stage(time.Stage.ToLowerInvariant(), time.Seconds);
        logger.StageCompleted(state.RunId, time.Round, time.Stage.ToLowerInvariant(), time.Seconds);
        await events.AppendAsync(state.RunId, time.Round, e => e.StageCompleted = new StageCompleted
        {
            Stage = System.Enum.Parse<RunStage>(time.Stage, ignoreCase: true),
            Duration = Duration.FromTimeSpan(TimeSpan.FromSeconds(time.Seconds)),
            Items = items,
        }, ct).ConfigureAwait(false);
    }

    private async Task BudgetEventAsync(LoopState state, CancellationToken ct)
    {
        telemetry.Budget(state.RunId, state.Spent, state.Billed);
        await events.AppendAsync(state.RunId, state.Round, e => e.BudgetUsage = RunViews.Usage(state, spec.Budget), ct).ConfigureAwait(false);
    }
}
