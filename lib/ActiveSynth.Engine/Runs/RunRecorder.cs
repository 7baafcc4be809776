using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using Google.Protobuf.WellKnownTypes;

namespace ActiveSynth.Engine.Runs;

/// <summary>
/// The loop's observer for one execution of a run: durable saves (state and metadata together, once per stage; the save that
/// ends the run writes the report first, so a finished run is never seen without it), the metadata (stage times, checkpoints,
/// round times, teacher calls and elapsed time per curve point), progress events (round started, stage completed with its
/// duration, selection, learning-curve point, budget usage) and the listener; then the caller's own observer.
/// </summary>
internal sealed class RunRecorder(RunHost host, StoredRun run, IRunObserver? progress) : IRunObserver
{
    private RunMeta Meta => run.Meta;

    public async Task SaveAsync(LoopState state, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Status is RunStatus.Completed or RunStatus.Failed or RunStatus.Cancelled && Meta.Report is null)
        {
            Meta.FinishedAt ??= DateTimeOffset.UtcNow;
            await host.WriteReportAsync(run, CancellationToken.None).ConfigureAwait(false);
        }
        await host.Store.SaveAsync(state, Meta, ct).ConfigureAwait(false);
        if (progress is not null)
        {
            await progress.SaveAsync(state, ct).ConfigureAwait(false);
        }
    }

    public async Task StageCompletedAsync(LoopState state, LoopStage stage, TimeSpan duration, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var time in RunArtifacts.StageTimes(stage, state.Round, duration, Meta.EvalSeconds))
        {
            Meta.StageTimes.Add(time);
            host.Listener.StageTimed(run, time);
            await host.AppendEventAsync(run.Id, time.Round, e => e.StageCompleted = new StageCompleted
            {
                Stage = System.Enum.Parse<RunStage>(time.Stage, ignoreCase: true),
                Duration = Duration.FromTimeSpan(TimeSpan.FromSeconds(time.Seconds)),
                Items = stage == LoopStage.Score ? state.Seeds.Count : StageItems(state, time),
            }, ct).ConfigureAwait(false);
        }
        switch (stage)
        {
            case LoopStage.Score:
                await host.AppendEventAsync(run.Id, state.Round, e =>
                {
                    e.SelectionMade = new SelectionMade { Strategy = run.Spec.Strategy?.Name ?? "" };
                    e.SelectionMade.Picks.AddRange(state.Picks.Select((p, rank) => new Pick { ItemId = p.Id, Score = p.Score, Rank = rank }));
                }, ct).ConfigureAwait(false);
                break;
            case LoopStage.Generate:
                await BudgetUsedAsync(state, ct).ConfigureAwait(false);
                break;
            case LoopStage.Evaluate0 or LoopStage.Train:
                Meta.RoundFinishedAt[state.Round] = DateTimeOffset.UtcNow;
                break;
            case LoopStage.RoundDone when state.Status == RunStatus.Running:
                Meta.RoundStartedAt[state.Round] = DateTimeOffset.UtcNow;
                host.Listener.RoundStarted(run, state.Round);
                await host.AppendEventAsync(run.Id, state.Round,
                    e => e.RoundStarted = new RoundStarted { Round = state.Round, CheckpointId = state.Checkpoint?.Id ?? "" }, ct).ConfigureAwait(false);
                break;
            default:
                break;
        }
        // No save here: the loop saved the stage's state just before, and the next stage's save carries this metadata along
        // (one write of the store per stage).
        if (progress is not null)
        {
            await progress.StageCompletedAsync(state, stage, duration, ct).ConfigureAwait(false);
        }
    }

    public async Task CurvePointAsync(LoopState state, CurvePoint point, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(point);
        if (state.Checkpoint is { } checkpoint)
        {
            Meta.Checkpoints[point.Round] = checkpoint;
        }
        Meta.TeacherCallsAt[point.Round] = state.Spent.TeacherCalls;
        Meta.ElapsedAt[point.Round] = state.Elapsed.TotalSeconds;
        host.Listener.CurvePoint(run, point);
        await host.AppendEventAsync(run.Id, point.Round, e => e.CurvePoint = point.ToContract(Meta, Meta.TestItems), ct).ConfigureAwait(false);
        await BudgetUsedAsync(state, ct).ConfigureAwait(false);
        if (progress is not null)
        {
            await progress.CurvePointAsync(state, point, ct).ConfigureAwait(false);
        }
    }

    /// <summary>What a stage worked on: test items for an evaluation, generations for GENERATE, kept samples for TRAIN.</summary>
    private int StageItems(LoopState state, StageTime time) => time.Stage switch
    {
        "EVALUATE" => Meta.TestItems,
        "GENERATE" => state.Generated.Count,
        _ => state.Samples.Count,
    };

    private async Task BudgetUsedAsync(LoopState state, CancellationToken ct)
    {
        host.Listener.BudgetUsed(run);
        await host.AppendEventAsync(run.Id, state.Round, e => e.BudgetUsage = RunViews.Usage(state, run.Spec.Budget), ct).ConfigureAwait(false);
    }
}
