using System.Threading.RateLimiting;

namespace ActiveSynth.Teachers.Resilience;

/// <summary>
/// Concurrency, requests per minute and tokens per minute for one endpoint. Concurrency and requests per minute are
/// System.Threading.RateLimiting's <see cref="ConcurrencyLimiter"/> and <see cref="SlidingWindowRateLimiter"/> (one-second
/// segments). Tokens per minute are hand-written (<see cref="TokenWindow"/>), because a call is admitted by an estimate
/// (prompt estimate + max completion) that is corrected to the actual usage when it ends, and a library limiter can neither
/// give permits back to its window nor admit a call larger than its whole limit.
/// </summary>
public sealed class ClientRateLimiter : IDisposable
{
    private readonly ConcurrencyLimiter? _concurrency;
    private readonly SlidingWindowRateLimiter? _requests;
    private readonly TokenWindow? _tokens;

    /// <param name="options">The limits; 0 = unlimited.</param>
    /// <param name="timeProvider">Clock of the token window.</param>
    /// <param name="window">The rate window: one minute, as the options say, unless a test shortens it.</param>
    public ClientRateLimiter(RateLimitOptions options, TimeProvider? timeProvider = null, TimeSpan? window = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var period = window ?? TimeSpan.FromMinutes(1);
        if (options.MaxConcurrency > 0)
        {
            _concurrency = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = options.MaxConcurrency,
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }
        if (options.RequestsPerMinute > 0)
        {
            _requests = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
            {
                PermitLimit = options.RequestsPerMinute,
                Window = period,
                SegmentsPerWindow = 60,
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            });
        }
        if (options.TokensPerMinute > 0)
        {
            _tokens = new TokenWindow(options.TokensPerMinute, period, timeProvider ?? TimeProvider.System);
        }
    }

    /// <summary>Waits until a call of about <paramref name="estimatedTokens"/> tokens may start; complete or dispose the lease when it ends.</summary>
    public async Task<Lease> AcquireAsync(int estimatedTokens, CancellationToken ct)
    {
        var leases = new List<RateLimitLease>(2);
        try
        {
            foreach (var limiter in (RateLimiter?[])[_concurrency, _requests])
            {
                if (limiter is not null)
                {
                    var lease = await limiter.AcquireAsync(1, ct).ConfigureAwait(false);
                    leases.Add(lease);
                    if (!lease.IsAcquired)
                    {
                        throw new InvalidOperationException("The client-side rate limiter refused a call (its queue is full).");
                    }
                }
            }
            var tokens = _tokens is null ? null : await _tokens.AdmitAsync(estimatedTokens, ct).ConfigureAwait(false);
            return new Lease(leases, _tokens, tokens);
        }
        catch
        {
            leases.ForEach(l => l.Dispose());
            throw;
        }
    }

    public void Dispose()
    {
        _concurrency?.Dispose();
        _requests?.Dispose();
    }

    /// <summary>A started call; <see cref="Complete"/> (or Dispose) frees its concurrency slot and settles its tokens.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly List<RateLimitLease> _leases;
        private readonly TokenWindow? _window;
        private readonly TokenWindow.Entry? _tokens;
        private int _done;

        internal Lease(List<RateLimitLease> leases, TokenWindow? window, TokenWindow.Entry? tokens)
        {
            _leases = leases;
            _window = window;
            _tokens = tokens;
        }

        /// <summary>Ends the call, replacing the token estimate by <paramref name="actualTokens"/> when known.</summary>
        public void Complete(long? actualTokens)
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                if (_tokens is not null && actualTokens is { } actual)
                {
                    _window!.Correct(_tokens, actual);
                }
                _leases.ForEach(l => l.Dispose());
            }
        }

        public void Dispose() => Complete(null);
    }
}
