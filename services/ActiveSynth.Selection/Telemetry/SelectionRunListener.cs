using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Engine.Runs;

namespace ActiveSynth.Selection.Telemetry;

/// <summary>The Selection service's runs as logs (<see cref="SelectionLog"/>), metrics (<see cref="SelectionTelemetry"/>) and one trace per round.</summary>
public sealed class SelectionRunListener(SelectionTelemetry telemetry, ArtifactStore artifacts, ILogger<SelectionRunListener> logger) : IRunListener
{
    public IRoundTracer StartTracing(StoredRun run, string strategy) => new RoundTracer(run.Id, strategy);

    public void Started(StoredRun run, bool resumed)
    {
        var strategy = Strategy(run);
        telemetry.RunStarted(strategy);
        if (resumed)
        {
            logger.RunResumed(run.Id, run.State.Round, run.State.Stage.ToString());
        }
        else
        {
            logger.RunStarted(run.Id, strategy, run.Spec.SamplesPerRound, run.State.Seeds.Count, run.Meta.TestItems);
        }
    }

    public void RoundStarted(StoredRun run, int round) => logger.RoundStarted(run.Id, round);

    public void StageTimed(StoredRun run, StageTime time)
    {
        var stage = time.Stage.ToLowerInvariant();
        telemetry.Stage(stage, time.Seconds);
        logger.StageCompleted(run.Id, time.Round, stage, time.Seconds);
    }

    public void CurvePoint(StoredRun run, CurvePoint point)
    {
        telemetry.CurvePoint(run.Id, Strategy(run), point.Accuracy, point.Round);
        logger.CurvePoint(run.Id, point.Round, point.Accuracy, point.Samples, point.TeacherTokens);
    }

    public void BudgetUsed(StoredRun run) => telemetry.Budget(run.Id, run.State.Spent, run.State.Billed);

    public void Paused(StoredRun run) => logger.RunPaused(run.Id, run.State.Round);

    public void Interrupted(string runId, Exception error) => logger.RunInterrupted(runId, error.GetType().Name);

    public void Cancelled(StoredRun run) => logger.RunCancelled(run.Id, run.Meta.CancelReason ?? "");

    public void Failed(StoredRun run, Exception error) => logger.RunFailed(error, run.Id, run.State.FailureReason ?? error.Message);

    public void ReportWritten(StoredRun run)
    {
        if (run.Meta.Report is not { } report)
        {
            return;
        }
        logger.ReportWritten(run.Id, artifacts.Resolve(report.Json.Path), artifacts.Resolve(report.Markdown.Path), artifacts.Resolve(report.Dataset.Path));
    }

    public void ReportFailed(StoredRun run, Exception error) => logger.ReportFailed(error, run.Id);

    public void Finished(StoredRun run)
    {
        var state = run.State;
        telemetry.RunFinished(state.Status.ToString().ToLowerInvariant());
        logger.RunFinished(run.Id, state.Status.ToString(), state.StopReason ?? "", state.Curve.Count(p => p.Round > 0),
            state.Curve.LastOrDefault()?.Accuracy ?? double.NaN, state.Elapsed.TotalSeconds);
    }

    private static string Strategy(StoredRun run) => run.Spec.Strategy?.Name ?? "";
}
