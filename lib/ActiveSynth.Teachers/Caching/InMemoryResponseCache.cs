using System.Collections.Concurrent;

namespace ActiveSynth.Teachers.Caching;

/// <summary>A process-local <see cref="IResponseCache"/> (tests, the in-process loop).</summary>
public sealed class InMemoryResponseCache : IResponseCache
{
    private readonly ConcurrentDictionary<string, CachedResponse> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _started = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    public Task<CachedResponse?> TryGetAsync(string fingerprint, CancellationToken ct = default) =>
        Task.FromResult(_entries.TryGetValue(fingerprint, out var hit) ? hit : null);

    public Task SetAsync(string fingerprint, CachedResponse response, CancellationToken ct = default)
    {
        _entries[fingerprint] = response;
        return Task.CompletedTask;
    }

    public Task<bool> TryStartAsync(string fingerprint, CancellationToken ct = default) => Task.FromResult(_started.TryAdd(fingerprint, 0));

    public Task FinishAsync(string fingerprint, CancellationToken ct = default)
    {
        _started.TryRemove(fingerprint, out _);
        return Task.CompletedTask;
    }
}
