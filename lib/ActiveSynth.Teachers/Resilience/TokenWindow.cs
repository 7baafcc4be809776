namespace ActiveSynth.Teachers.Resilience;

/// <summary>
/// Tokens per window (a minute) over a sliding window of admitted calls. Hand-written rather than a
/// System.Threading.RateLimiting limiter: a call is admitted by estimate and <see cref="Correct">corrected</see> to its actual
/// usage when it ends (an estimate counts max completion tokens, usually far above what a reply uses, so without the
/// correction the endpoint's quota would be under-used several times over), and a single call larger than the whole budget
/// is admitted into an empty window, so it can never wait forever. Library limiters cannot return permits or exceed their limit.
/// </summary>
internal sealed class TokenWindow(long tokensPerWindow, TimeSpan window, TimeProvider time)
{
    private readonly Queue<Entry> _entries = new();
    private readonly Lock _gate = new();
    private long _windowTokens;

    public async Task<Entry> AdmitAsync(long tokens, CancellationToken ct)
    {
        while (true)
        {
            var wait = TryAdmit(tokens, out var entry);
            if (entry is not null)
            {
                return entry;
            }
            await Task.Delay(wait, time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Replaces an admitted call's estimate by what it used, while it is still in the window (after, it no longer matters).</summary>
    public void Correct(Entry entry, long actualTokens)
    {
        lock (_gate)
        {
            if (_entries.Contains(entry))
            {
                _windowTokens += actualTokens - entry.Tokens;
                entry.Tokens = actualTokens;
            }
        }
    }

    private TimeSpan TryAdmit(long tokens, out Entry? admitted)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            while (_entries.Count > 0 && now - _entries.Peek().At >= window)
            {
                _windowTokens -= _entries.Dequeue().Tokens;
            }
            if (_entries.Count == 0 || _windowTokens + tokens <= tokensPerWindow)
            {
                admitted = new Entry(now, tokens);
                _entries.Enqueue(admitted);
                _windowTokens += tokens;
                return TimeSpan.Zero;
            }
            admitted = null;
            var untilOldestLeaves = window - (now - _entries.Peek().At);
            return untilOldestLeaves > TimeSpan.FromMilliseconds(1) ? untilOldestLeaves : TimeSpan.FromMilliseconds(1);
        }
    }

    internal sealed class Entry(DateTimeOffset at, long tokens)
    {
        public DateTimeOffset At { get; } = at;

        public long Tokens { get; set; } = tokens;
    }
}
