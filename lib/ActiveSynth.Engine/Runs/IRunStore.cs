using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Engine.Runs;

/// <summary>
/// Where a <see cref="RunHost"/> keeps its runs: spec, loop state and metadata per run, and the run's progress events. A
/// deployment keeps them in Redis (the Selection service's store), a run in one process as files under <c>runs/&lt;id&gt;/</c>
/// (<see cref="FileRunStore"/>).
/// </summary>
public interface IRunStore
{
    /// <summary>Stores a new run; false (nothing written) when its id is taken.</summary>
    Task<bool> CreateAsync(StoredRun run, CancellationToken ct = default);

    /// <summary>The stored run, or null when there is none.</summary>
    Task<StoredRun?> GetAsync(string runId, CancellationToken ct = default);

    /// <summary>Saves the state and the metadata together (stamping <see cref="RunMeta.UpdatedAt"/>); durable when it returns.</summary>
    Task SaveAsync(LoopState state, RunMeta meta, CancellationToken ct = default);

    /// <summary>Replaces the run's spec (a resumed run's new budget, a local run's command line).</summary>
    Task SaveSpecAsync(string runId, RunSpec spec, CancellationToken ct = default);

    /// <summary>Appends <paramref name="event"/> to its run's event log, giving it the run's next sequence number.</summary>
    Task AppendEventAsync(RunEvent @event, CancellationToken ct = default);

    /// <summary>Lets go of what a finished run no longer needs (kept: spec, state, metadata and events).</summary>
    Task ReleaseAsync(StoredRun run, CancellationToken ct = default);

    /// <summary>
    /// True when <paramref name="error"/> says the store (or the broker it shares) is unreachable: such an error interrupts a run
    /// without failing it, and the host resumes the run from its last durable save once <see cref="WaitUntilAvailableAsync"/> returns.
    /// </summary>
    bool IsUnavailable(Exception error);

    /// <summary>Returns once the store answers again.</summary>
    Task WaitUntilAvailableAsync(CancellationToken ct);
}
