using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ActiveSynth.Messaging.Requests;

/// <summary>
/// One replica at a time per request id: a lease in Redis (<c>SET NX PX</c> on <c>&lt;prefix&gt;:&lt;id&gt;</c>), renewed while
/// held and released (only by its holder) when the handler is done. Two entries can carry the same id while the first is still
/// being handled: a requester publishes again when it restarts without a stored reply, and an entry can be claimed from a
/// replica that is slow rather than dead. A holder that dies stops renewing, so its lease ends within
/// <paramref name="leaseTime"/> and a waiting replica goes on.
/// </summary>
public sealed class RedisRequestLease(IConnectionMultiplexer redis, string keyPrefix, TimeSpan leaseTime, string holder, ILogger<RedisRequestLease> logger)
    : IRequestLease
{
    private const string RenewScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
    private const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    public string Key(string requestId) => $"{keyPrefix}:{requestId}";

    public async Task<IAsyncDisposable> AcquireAsync(string requestId, CancellationToken ct)
    {
        var poll = TimeSpan.FromMilliseconds(Math.Clamp(leaseTime.TotalMilliseconds / 10, 50, 1000));
        var key = Key(requestId);
        var token = $"{holder}/{Guid.NewGuid():N}";
        var db = redis.GetDatabase();
        var waited = false;
        while (!await db.StringSetAsync(key, token, leaseTime, When.NotExists).ConfigureAwait(false))
        {
            if (!waited)
            {
                waited = true;
                logger.LeaseBusy(requestId, (await db.StringGetAsync(key).ConfigureAwait(false)).ToString());
            }
            await Task.Delay(poll, ct).ConfigureAwait(false);
        }
        return new Lease(db, key, token, leaseTime, logger);
    }

    private sealed class Lease : IAsyncDisposable
    {
        private readonly IDatabase _db;
        private readonly RedisKey _key;
        private readonly string _token;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewing;

        public Lease(IDatabase db, string key, string token, TimeSpan ttl, ILogger logger)
        {
            (_db, _key, _token) = (db, key, token);
            _renewing = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        await Task.Delay(ttl / 3, _stop.Token).ConfigureAwait(false);
                        if ((long)await _db.ScriptEvaluateAsync(RenewScript, [_key], [_token, (long)ttl.TotalMilliseconds]).ConfigureAwait(false) == 0)
                        {
                            logger.LeaseLost(key);
                        }
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    catch (Exception ex) when (ex is RedisException or TimeoutException)
                    {
                        logger.LeaseRenewFailed(ex, key); // Redis restarting: try again at the next interval
                    }
                }
            });
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _renewing.ConfigureAwait(false);
            _stop.Dispose();
            try
            {
                await _db.ScriptEvaluateAsync(ReleaseScript, [_key], [_token]).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Not released: it runs out by itself within the lease time.
            }
        }
    }
}
