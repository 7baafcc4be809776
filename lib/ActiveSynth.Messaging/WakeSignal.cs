namespace ActiveSynth.Messaging;

/// <summary>
/// A resettable signal for "something may have arrived": <see cref="Next"/> returns a task that completes at the next
/// <see cref="Set"/> after it was taken. Take it before looking, so a signal that arrives while looking is not lost.
/// </summary>
public sealed class WakeSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next() => Volatile.Read(ref _next).Task;

    public void Set() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
