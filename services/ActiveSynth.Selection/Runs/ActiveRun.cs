namespace ActiveSynth.Selection.Runs;

/// <summary>A run whose loop executes in this process: how to stop it, and whether a stop is a user's cancel or a shutdown.</summary>
public sealed class ActiveRun(CancellationTokenSource cancellation)
{
    public CancellationTokenSource Cancellation { get; } = cancellation;

    public Task Completion { get; set; } = Task.CompletedTask;

    /// <summary>Set by CancelRun before cancelling; unset, a cancellation is the service shutting down (the run resumes later).</summary>
    public string? CancelReason { get; private set; }

    public bool CancelRequested => CancelReason is not null;

    public void Cancel(string reason)
    {
        CancelReason = string.IsNullOrWhiteSpace(reason) ? "requested" : reason;
        Cancellation.Cancel();
    }
}
