namespace ActiveSynth.Core.Loop;

/// <summary>Progress of a run as it happens (logs, WatchRun events, the CLI's live view) and its durable saves.</summary>
public interface IRunObserver
{
    /// <summary>Persists the state; called after every stage. Must be durable when it returns.</summary>
    Task SaveAsync(LoopState state, CancellationToken ct);

    Task StageCompletedAsync(LoopState state, LoopStage stage, TimeSpan duration, CancellationToken ct);

    Task CurvePointAsync(LoopState state, CurvePoint point, CancellationToken ct);
}
