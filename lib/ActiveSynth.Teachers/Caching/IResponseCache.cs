namespace ActiveSynth.Teachers.Caching;

/// <summary>Teacher replies by request fingerprint (<see cref="RequestFingerprint"/>). Implementations: in memory here, Redis in the Teacher service.</summary>
public interface IResponseCache
{
    Task<CachedResponse?> TryGetAsync(string fingerprint, CancellationToken ct = default);

    Task SetAsync(string fingerprint, CachedResponse response, CancellationToken ct = default);
}
