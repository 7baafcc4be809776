namespace ActiveSynth.Teachers.Resilience;

/// <summary>
/// Requests per minute, tokens per minute and concurrency for one endpoint, over a sliding one-minute window.
/// Tokens are admitted by estimate (prompt estimate + max completion) and corrected to the actual usage when
/// the call ends. A single call larger than the whole per-minute token budget is admitted into an empty
/// window, so it can never wait forever.
/// </summary>
public sealed class ClientRateLimiter : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly RateLimitOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim? _concurrency;
    private readonly Queue<Entry> _window = new();
    private readonly Lock _gate = new();
    private long _windowTokens;

    public ClientRateLimiter(RateLimitOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _concurrency = options.MaxConcurrency > 0 ? new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency) : null;
    }

    /// <summary>Waits until a call of about <paramref name="estimatedTokens"/> tokens may start; dispose the lease when it ends.</summary>
    public async Task<Lease> AcquireAsync(int estimatedTokens, CancellationToken ct)
    {
        if (_concurrency is not null)
        {
            await _concurrency.WaitAsync(ct).ConfigureAwait(false);
        }
        try
        {
            while (true)
            {
                var wait = TryAdmit(estimatedTokens, out var entry);
                if (entry is not null)
                {
                    return new Lease(this, entry);
                }
                await Task.Delay(wait, _time, ct).ConfigureAwait(false);
            }
        }
        catch
        {
            _concurrency?.Release();
            throw;
        }
    }

    public void Dispose() => _concurrency?.Dispose();

    private TimeSpan TryAdmit(int tokens, out Entry? admitted)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            while (_window.Count > 0 && now - _window.Peek().At >= Window)
            {
                _windowTokens -= _window.Dequeue().Tokens;
            }
            var requestsOk = _options.RequestsPerMinute <= 0 || _window.Count < _options.RequestsPerMinute;
            var tokensOk = _options.TokensPerMinute <= 0 || _window.Count == 0 || _windowTokens + tokens <= _options.TokensPerMinute;
            if (requestsOk && tokensOk)
            {
                admitted = new Entry(now, tokens);
                _window.Enqueue(admitted);
                _windowTokens += tokens;
                return TimeSpan.Zero;
            }
            admitted = null;
            var untilOldestLeaves = Window - (now - _window.Peek().At);
            return untilOldestLeaves > TimeSpan.FromMilliseconds(1) ? untilOldestLeaves : TimeSpan.FromMilliseconds(1);
        }
    }

    private void Complete(Entry entry, long? actualTokens)
    {
        if (actualTokens is { } actual)
        {
            lock (_gate)
            {
                // Only while the entry is still in the window; after it left, the correction no longer matters.
                if (_window.Contains(entry))
                {
                    _windowTokens += actual - entry.Tokens;
                    entry.Tokens = actual;
                }
            }
        }
        _concurrency?.Release();
    }

    internal sealed class Entry(DateTimeOffset at, long tokens)
    {
        public DateTimeOffset At { get; } = at;

        public long Tokens { get; set; } = tokens;
    }

    /// <summary>A started call; <see cref="Complete"/> (or Dispose) frees its concurrency slot.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly ClientRateLimiter _owner;
        private readonly Entry _entry;
        private int _done;

        internal Lease(ClientRateLimiter owner, Entry entry)
        {
            _owner = owner;
            _entry = entry;
        }

        /// <summary>Ends the call, replacing the token estimate by <paramref name="actualTokens"/> when known.</summary>
        public void Complete(long? actualTokens)
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                _owner.Complete(_entry, actualTokens);
            }
        }

        public void Dispose() => Complete(null);
    }
}
