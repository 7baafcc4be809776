using System.Collections.Concurrent;

namespace ActiveSynth.Teachers.Caching;

/// <summary>Process-local <see cref="ICallStartMarks"/> (tests, the in-process loop).</summary>
public sealed class InMemoryCallStartMarks : ICallStartMarks
{
    private readonly ConcurrentDictionary<string, byte> _started = new(StringComparer.Ordinal);

    public Task<bool> TryStartAsync(string fingerprint, CancellationToken ct = default) => Task.FromResult(_started.TryAdd(fingerprint, 0));

    public Task FinishAsync(string fingerprint, CancellationToken ct = default)
    {
        _started.TryRemove(fingerprint, out _);
        return Task.CompletedTask;
    }
}
