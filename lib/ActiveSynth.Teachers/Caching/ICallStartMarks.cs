namespace ActiveSynth.Teachers.Caching;

/// <summary>
/// Marks of teacher calls in progress, by request fingerprint. A mark that is still there when the same request is made
/// again was left by a process that died mid-call, after the endpoint may have billed a reply that nobody received.
/// </summary>
public interface ICallStartMarks
{
    /// <summary>Marks a call as started. False when an earlier start was never finished.</summary>
    Task<bool> TryStartAsync(string fingerprint, CancellationToken ct = default);

    /// <summary>Removes the start mark: the call's reply is stored, or the call failed.</summary>
    Task FinishAsync(string fingerprint, CancellationToken ct = default);
}
