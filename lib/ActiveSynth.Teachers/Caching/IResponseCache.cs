namespace ActiveSynth.Teachers.Caching;

/// <summary>
/// Teacher replies by request fingerprint (<see cref="RequestFingerprint"/>), and a mark per call in progress so that a call
/// redone after its process died is known to have possibly been paid for already. Implementations: in memory here, Redis
/// in the Teacher service.
/// </summary>
public interface IResponseCache
{
    Task<CachedResponse?> TryGetAsync(string fingerprint, CancellationToken ct = default);

    Task SetAsync(string fingerprint, CachedResponse response, CancellationToken ct = default);

    /// <summary>
    /// Marks a call of <paramref name="fingerprint"/> as started. False when an earlier start was never finished: the process
    /// that made it died mid-call, and the endpoint may have billed a reply that nobody received.
    /// </summary>
    Task<bool> TryStartAsync(string fingerprint, CancellationToken ct = default);

    /// <summary>Removes the start mark: the call's reply is stored, or the call failed.</summary>
    Task FinishAsync(string fingerprint, CancellationToken ct = default);
}
