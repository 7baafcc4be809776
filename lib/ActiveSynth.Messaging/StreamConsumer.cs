using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>
/// A competing consumer of one stream in one group. It creates the group if needed, first drains its own
/// pending entries (left by an earlier life of a consumer with the same name), then loops: take over entries
/// idle past the claim time (XAUTOCLAIM: dead consumers' work and failed entries due for a retry), read new
/// ones (XREADGROUP &gt;) and hand each batch to <see cref="BatchProcessor{TMessage, THandler}"/>. Redis errors
/// (restart, failover, timeouts) are logged and retried with backoff; StackExchange.Redis reconnects by itself.
/// On shutdown it reads nothing new; the batch in progress gets <see cref="StreamConsumerOptions.StopGracePeriod"/> to finish
/// and be acked, then its handlers are cancelled and what they held is handed back for another replica to claim at once.
/// Nothing unfinished is acked.
/// </summary>
public sealed class StreamConsumer<TMessage, THandler> : BackgroundService
    where TMessage : class, IMessage<TMessage>, new()
    where THandler : class, IStreamHandler<TMessage>
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(100);

    private readonly ConsumerContext _context;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeSpan _claimInterval;

    internal StreamConsumer(ConsumerContext context, IServiceScopeFactory scopes)
    {
        _context = context;
        _scopes = scopes;
        // Scan for idle entries a few times per idle period: often enough that a dead consumer's work moves on
        // soon after it becomes claimable, rarely enough that the PEL scan costs nothing under load.
        _claimInterval = TimeSpan.FromTicks(Math.Max(context.Options.PollInterval.Ticks, context.Options.ClaimIdleTime.Ticks / 4));
    }

    /// <summary>Stream this consumer reads.</summary>
    public string Stream => _context.Stream;

    /// <summary>Consumer group it belongs to.</summary>
    public string Group => _context.Group;

    /// <summary>Its consumer name in the group.</summary>
    public string ConsumerName => _context.Consumer;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = _context.Options;
        var logger = _context.Logger;
        var lease = new PendingLeaseKeeper(_context.Redis, Stream, Group, ConsumerName, options.ClaimIdleTime, logger);
        var processor = new BatchProcessor<TMessage, THandler>(_context, _scopes, lease);
        // Handlers see this token, not the stopping token: a stop gives the batch in progress its grace period.
        using var handlersStop = new CancellationTokenSource();
        using var onStop = stoppingToken.Register(() => handlersStop.CancelAfter(options.StopGracePeriod));
        var cursor = new ReadCursor();
        var groupReady = false;
        var backoff = MinBackoff;
        var wake = new WakeSignal();
        // Publishers signal the stream's wake channel after each XADD: an idle consumer reads at once instead of at its next
        // poll, so a request costs no poll interval per hop and the poll can be slow. The subscription is re-established by
        // the multiplexer after a reconnect; until then the poll alone finds new entries.
        var subscriber = _context.Redis.GetSubscriber();
        var channel = StreamKeys.WakeChannel(Stream);
        await subscriber.SubscribeAsync(channel, (_, _) => wake.Set()).ConfigureAwait(false);
        logger.ConsumerStarted(Stream, Group, ConsumerName, options.BatchSize, options.Concurrency);

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (!groupReady)
                    {
                        await ConsumerGroupSetup.EnsureAsync(_context.Db, Stream, Group, logger).ConfigureAwait(false);
                        groupReady = true;
                    }
                    var signalled = wake.Next(); // taken before reading, so a signal for an entry the read misses is not lost
                    var batch = await NextBatchAsync(cursor).ConfigureAwait(false);
                    backoff = MinBackoff;
                    if (batch.Count == 0)
                    {
                        await Task.WhenAny(signalled, Task.Delay(options.PollInterval, stoppingToken)).ConfigureAwait(false);
                        stoppingToken.ThrowIfCancellationRequested();
                        continue;
                    }
                    // A stop lets the started batch finish within the grace period and acks what its handlers finished.
                    await processor.ProcessAsync(batch, handlersStop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    if (ex is RedisServerException server && server.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
                    {
                        logger.GroupMissing(Stream, Group);
                        groupReady = false;
                    }
                    logger.RedisUnavailable(ex, Stream, Group, (long)backoff.TotalMilliseconds);
                    // A reply may have been lost with entries already delivered to us: re-read our own history first.
                    cursor.RestartDrain();
                    try
                    {
                        await Task.Delay(backoff, stoppingToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.MaxReconnectBackoff.Ticks));
                }
            }
        }
        finally
        {
            await lease.DisposeAsync().ConfigureAwait(false);
        }
        await HandBackAsync().ConfigureAwait(false);
        await UnsubscribeAsync(subscriber, channel).ConfigureAwait(false);
        logger.ConsumerStopped(Stream, Group, ConsumerName);
    }

    /// <summary>
    /// Makes this consumer's pending entries claimable at once: XCLAIM to itself with an idle time past the claim idle time
    /// (JUSTID: not a delivery, so no attempt is counted). Another replica's next XAUTOCLAIM scan takes them.
    /// </summary>
    private async Task HandBackAsync()
    {
        try
        {
            var pending = await _context.Db.StreamPendingMessagesAsync(Stream, Group, 1000, ConsumerName).ConfigureAwait(false);
            if (pending.Length == 0)
            {
                return;
            }
            var idleMs = (long)_context.Options.ClaimIdleTime.TotalMilliseconds + 1;
            foreach (var entry in pending)
            {
                await _context.Db.ExecuteAsync("XCLAIM", Stream, Group, ConsumerName, 0, entry.MessageId.ToString(), "IDLE", idleMs, "JUSTID").ConfigureAwait(false);
            }
            _context.Logger.HandedBack(Stream, Group, ConsumerName, pending.Length);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Redis is down: the entries stay pending and are claimed after the claim idle time, as after a crash.
            _context.Logger.RedisUnavailable(ex, Stream, Group, 0);
        }
    }

    /// <summary>Drops the wake subscription on the way out; Redis being down then is no reason to fail the stop.</summary>
    private async Task UnsubscribeAsync(ISubscriber subscriber, RedisChannel channel)
    {
        try
        {
            await subscriber.UnsubscribeAsync(channel).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _context.Logger.RedisUnavailable(ex, Stream, Group, 0);
        }
    }

    private async Task<List<Delivery>> NextBatchAsync(ReadCursor cursor)
    {
        var db = _context.Db;
        var count = _context.Options.BatchSize;

        if (cursor.Draining)
        {
            // Reading with an id (not ">") returns this consumer's own pending entries, counting a delivery each.
            var own = await db.StreamReadGroupAsync(Stream, Group, ConsumerName, cursor.OwnPendingFrom, count).ConfigureAwait(false);
            if (own.Length > 0)
            {
                cursor.OwnPendingFrom = own[^1].Id;
                return await DeliveryCounts.LookUpAsync(db, Stream, Group, ConsumerName, own).ConfigureAwait(false);
            }
            cursor.Draining = false;
        }

        if (DateTime.UtcNow >= cursor.NextClaimAt)
        {
            var claimed = await db.StreamAutoClaimAsync(Stream, Group, ConsumerName,
                (long)_context.Options.ClaimIdleTime.TotalMilliseconds, cursor.ClaimFrom, count).ConfigureAwait(false);
            var next = claimed.NextStartId;
            // "0-0" means the scan of the pending list is complete: wait for the next interval before scanning again.
            cursor.ClaimFrom = next.IsNullOrEmpty || next == "0-0" ? "0-0" : next;
            if (cursor.ClaimFrom == "0-0")
            {
                cursor.NextClaimAt = DateTime.UtcNow + _claimInterval;
            }
            var entries = claimed.ClaimedEntries ?? [];
            if (entries.Length > 0)
            {
                _context.Logger.Claimed(Stream, Group, entries.Length);
                return await DeliveryCounts.LookUpAsync(db, Stream, Group, ConsumerName, entries).ConfigureAwait(false);
            }
        }

        var fresh = await db.StreamReadGroupAsync(Stream, Group, ConsumerName, StreamPosition.NewMessages, count).ConfigureAwait(false);
        var deliveries = new List<Delivery>(fresh.Length);
        foreach (var entry in fresh)
        {
            deliveries.Add(new Delivery(entry, 1));
        }
        return deliveries;
    }

    /// <summary>Where the loop stands: draining its own history, and the XAUTOCLAIM scan position.</summary>
    private sealed class ReadCursor
    {
        public bool Draining { get; set; } = true;
        public RedisValue OwnPendingFrom { get; set; } = "0-0";
        public RedisValue ClaimFrom { get; set; } = "0-0";
        public DateTime NextClaimAt { get; set; } = DateTime.MinValue;

        public void RestartDrain()
        {
            Draining = true;
            OwnPendingFrom = "0-0";
        }
    }
}
