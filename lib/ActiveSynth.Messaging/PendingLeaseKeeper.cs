using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>
/// Keeps in-flight entries from looking idle: every third of the claim idle time it resets their idle time
/// (XCLAIM ... JUSTID, which does not count as a delivery), so a slow handler is not taken over by another
/// consumer while it still works. Only entries this consumer still owns are renewed (checked in the same
/// script), so an entry that was claimed away is never stolen back.
/// </summary>
internal sealed class PendingLeaseKeeper : IAsyncDisposable
{
    private const string RenewScript = """
        local renewed = 0
        for i = 3, #ARGV do
          local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2])
          if #p == 1 then
            redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
            renewed = renewed + 1
          end
        end
        return renewed
        """;

    private readonly ConcurrentDictionary<string, byte> _inFlight = new();
    private readonly IConnectionMultiplexer _redis;
    private readonly string _stream;
    private readonly string _group;
    private readonly string _consumer;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public PendingLeaseKeeper(IConnectionMultiplexer redis, string stream, string group, string consumer, TimeSpan claimIdleTime, ILogger logger)
    {
        _redis = redis;
        _stream = stream;
        _group = group;
        _consumer = consumer;
        _interval = claimIdleTime / 3;
        _logger = logger;
        _loop = RunAsync(_stop.Token);
    }

    public void Track(string entryId) => _inFlight.TryAdd(entryId, 0);

    public void Release(string entryId) => _inFlight.TryRemove(entryId, out _);

    private async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                var ids = _inFlight.Keys.ToArray();
                if (ids.Length == 0)
                {
                    continue;
                }
                try
                {
                    var args = new RedisValue[ids.Length + 2];
                    args[0] = _group;
                    args[1] = _consumer;
                    for (var i = 0; i < ids.Length; i++)
                    {
                        args[i + 2] = ids[i];
                    }
                    await _redis.GetDatabase().ScriptEvaluateAsync(RenewScript, [_stream], args).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
                {
                    // Keep going: if the lease lapses the entry is claimed elsewhere and the done marker absorbs the duplicate.
                    _logger.LeaseRenewFailed(ex, _stream, _group);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
