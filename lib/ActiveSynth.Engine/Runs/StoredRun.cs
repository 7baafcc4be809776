using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Engine.Runs;

/// <summary>A run as stored: its spec, the loop's state and the host's metadata.</summary>
public sealed record StoredRun(string Id, RunSpec Spec, LoopState State, RunMeta Meta)
{
    /// <summary>Completed, failed or cancelled: the loop does not go on unless the run is reopened.</summary>
    public bool IsFinished => State.Status is RunStatus.Completed or RunStatus.Failed or RunStatus.Cancelled;

    /// <summary>
    /// Makes a finished (or interrupted) run executable again from its last durable step: running (a pending one stays pending),
    /// with no stop or failure reason, and no finish time, report or cancel reason, so the next finish writes them anew.
    /// </summary>
    public void Reopen()
    {
        if (State.Status != RunStatus.Pending)
        {
            State.Status = RunStatus.Running;
        }
        State.StopReason = null;
        State.FailureReason = null;
        Meta.FinishedAt = null;
        Meta.Report = null;
        Meta.CancelReason = null;
    }
}
