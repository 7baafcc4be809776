using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Engine.Runs;

/// <summary>
/// What a <see cref="RunHost"/> tells about its runs besides what it stores and the events it appends: where logs, metrics and
/// traces hang. Every member does nothing unless implemented. A member that throws stops the host there (the CLI's listener
/// rethrows a run's failure, so that the command stops with the run's error).
/// </summary>
public interface IRunListener
{
    /// <summary>The round tracer of one execution of <paramref name="run"/> (disposed after it when disposable).</summary>
    IRoundTracer StartTracing(StoredRun run, string strategy) => NoRoundTracer.Instance;

    /// <summary>The loop is about to run: from the start, or <paramref name="resumed"/> from a later stage.</summary>
    void Started(StoredRun run, bool resumed)
    {
    }

    void RoundStarted(StoredRun run, int round)
    {
    }

    /// <summary>One stage's wall time (a TRAIN stage gives two: its training and its evaluation).</summary>
    void StageTimed(StoredRun run, StageTime time)
    {
    }

    void CurvePoint(StoredRun run, CurvePoint point)
    {
    }

    /// <summary>The run's budget usage changed (after a generation and at every curve point).</summary>
    void BudgetUsed(StoredRun run)
    {
    }

    /// <summary>A shutdown stopped the run: it stays running, to be resumed.</summary>
    void Paused(StoredRun run)
    {
    }

    /// <summary>The store became unavailable: the host waits for it, then resumes the run from its last durable save.</summary>
    void Interrupted(string runId, Exception error)
    {
    }

    void Cancelled(StoredRun run)
    {
    }

    void Failed(StoredRun run, Exception error)
    {
    }

    void ReportWritten(StoredRun run)
    {
    }

    /// <summary>The report could not be written; the run finishes without it.</summary>
    void ReportFailed(StoredRun run, Exception error)
    {
    }

    void Finished(StoredRun run)
    {
    }
}

/// <summary>A host that tells nobody.</summary>
public sealed class NoRunListener : IRunListener
{
    public static readonly NoRunListener Instance = new();
}
