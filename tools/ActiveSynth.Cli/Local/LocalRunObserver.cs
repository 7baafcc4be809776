using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Reports;

namespace ActiveSynth.Cli.Local;

/// <summary>
/// An in-process run's observer: saves its record after every stage, keeps stage times and checkpoints, writes the report (the
/// deployment's writer) when the run ends, and tells the console.
/// </summary>
public sealed class LocalRunObserver(ArtifactStore artifacts, RunReportWriter reports, LocalRunRecord record, IRunObserver progress) : IRunObserver
{
    public async Task SaveAsync(LoopState state, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Status is RunStatus.Completed or RunStatus.Failed or RunStatus.Cancelled && record.Data.Report is null)
        {
            record.Data.FinishedAt ??= DateTimeOffset.UtcNow;
            record.Data.Report = await reports.WriteAsync(record.ReportInput(), CancellationToken.None).ConfigureAwait(false);
        }
        await record.SaveAsync(artifacts, ct).ConfigureAwait(false);
        await progress.SaveAsync(state, ct).ConfigureAwait(false);
    }

    public Task StageCompletedAsync(LoopState state, LoopStage stage, TimeSpan duration, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(state);
        record.Data.StageTimes.AddRange(RunArtifacts.StageTimes(stage, state.Round, duration, record.EvalSeconds));
        return progress.StageCompletedAsync(state, stage, duration, ct);
    }

    public Task CurvePointAsync(LoopState state, CurvePoint point, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(point);
        if (state.Checkpoint is { } checkpoint)
        {
            record.Data.Checkpoints[point.Round] = checkpoint;
        }
        return progress.CurvePointAsync(state, point, ct);
    }
}
