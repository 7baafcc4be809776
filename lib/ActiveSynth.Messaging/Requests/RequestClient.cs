using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ActiveSynth.Messaging.Requests;

/// <summary>
/// The requester side of request/reply over streams, the same for every kind of work: a request is published on its route's
/// request stream with the caller's key as idempotency id, and its reply awaited where <see cref="ReplyStoreHandler{TReply}"/>
/// stores it. A reply already stored (a resumed run) is returned without publishing; otherwise the request is (re-)published
/// with the same id, which workers deduplicate. Waiting wakes on the store's notification, with a poll as fallback, and checks
/// the request stream's dead letters now and then, so a request a worker gave up on fails instead of waiting for ever.
/// </summary>
public sealed class RequestClient(IConnectionMultiplexer redis, IStreamPublisher publisher, IOptions<RequestClientOptions> options)
{
    private readonly ConcurrentDictionary<string, Waiting> _waiting = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _subscribeGate = new(1, 1);
    private volatile bool _subscribed;

    /// <summary>The reply to <paramref name="request"/>: the stored one if there is one, else the request is sent and its reply awaited.</summary>
    /// <exception cref="RequestFailedException">The request was dead-lettered, or no reply came within <paramref name="timeout"/>.</exception>
    public async Task<TReply> RequestAsync<TRequest, TReply>(RequestRoute route, string runId, string requestId, TRequest request,
        TimeSpan timeout, CancellationToken ct)
        where TRequest : IMessage<TRequest>
        where TReply : IMessage<TReply>, new()
    {
        ArgumentNullException.ThrowIfNull(route);
        if (await TryGetReplyAsync<TReply>(runId, requestId).ConfigureAwait(false) is { } stored)
        {
            return stored;
        }
        await publisher.PublishAsync(route.RequestStream, request, runId, requestId, ct).ConfigureAwait(false);
        return await WaitAsync<TReply>(route, runId, requestId, timeout, ct).ConfigureAwait(false);
    }

    /// <summary>The stored reply to <paramref name="requestId"/> of run <paramref name="runId"/>, or null.</summary>
    public async Task<TReply?> TryGetReplyAsync<TReply>(string runId, string requestId) where TReply : IMessage<TReply>, new()
    {
        var value = await redis.GetDatabase().StringGetAsync(ReplyKeys.Reply(runId, requestId)).ConfigureAwait(false);
        return value.IsNullOrEmpty ? default : new MessageParser<TReply>(() => new TReply()).ParseFrom((byte[])value!);
    }

    /// <summary>Deletes the stored replies to <paramref name="requestIds"/> of run <paramref name="runId"/> (a later request sends them again).</summary>
    public async Task ForgetRepliesAsync(string runId, IReadOnlyCollection<string> requestIds)
    {
        ArgumentNullException.ThrowIfNull(requestIds);
        if (requestIds.Count > 0)
        {
            await redis.GetDatabase().KeyDeleteAsync([.. requestIds.Select(id => (RedisKey)ReplyKeys.Reply(runId, id))]).ConfigureAwait(false);
        }
    }

    private async Task<TReply> WaitAsync<TReply>(RequestRoute route, string runId, string requestId, TimeSpan timeout, CancellationToken ct)
        where TReply : IMessage<TReply>, new()
    {
        await EnsureSubscribedAsync().ConfigureAwait(false);
        var key = ReplyKeys.Reply(runId, requestId);
        var waiting = _waiting.GetOrAdd(key, _ => new Waiting());
        Interlocked.Increment(ref waiting.Count);
        try
        {
            var o = options.Value;
            var deadline = DateTime.UtcNow + timeout;
            var nextDeadLetterCheck = DateTime.UtcNow + o.DeadLetterCheckInterval;
            while (true)
            {
                var signalled = waiting.Signal.Next();
                if (await TryGetReplyAsync<TReply>(runId, requestId).ConfigureAwait(false) is { } reply)
                {
                    return reply;
                }
                var now = DateTime.UtcNow;
                if (now >= deadline)
                {
                    throw new RequestFailedException($"no reply to request '{requestId}' within {timeout.TotalSeconds:0} s");
                }
                if (now >= nextDeadLetterCheck)
                {
                    nextDeadLetterCheck = now + o.DeadLetterCheckInterval;
                    if (await DeadLetterErrorAsync(route.RequestStream, requestId).ConfigureAwait(false) is { } error)
                    {
                        throw new RequestFailedException($"request '{requestId}' was dead-lettered by its worker: {error}");
                    }
                }
                await Task.WhenAny(signalled, Task.Delay(o.ReplyPollInterval, ct)).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            if (Interlocked.Decrement(ref waiting.Count) == 0)
            {
                _waiting.TryRemove(KeyValuePair.Create(key, waiting));
            }
        }
    }

    /// <summary>The error of a dead-lettered entry with idempotency id <paramref name="requestId"/> among the newest dead letters, or null.</summary>
    private async Task<string?> DeadLetterErrorAsync(string requestStream, string requestId)
    {
        var entries = await redis.GetDatabase().StreamRangeAsync(StreamKeys.DeadLetter(requestStream), "-", "+", 200, Order.Descending)
            .ConfigureAwait(false);
        foreach (var entry in entries)
        {
            if (entry[StreamEntryFields.Id] == requestId)
            {
                var error = entry[StreamEntryFields.Error];
                return error.IsNullOrEmpty ? "unknown error" : error.ToString();
            }
        }
        return null;
    }

    private async Task EnsureSubscribedAsync()
    {
        if (_subscribed)
        {
            return;
        }
        await _subscribeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_subscribed)
            {
                await redis.GetSubscriber().SubscribeAsync(ReplyKeys.StoredChannel, (_, key) =>
                {
                    if (_waiting.TryGetValue(key.ToString(), out var waiting))
                    {
                        waiting.Signal.Set();
                    }
                }).ConfigureAwait(false);
                _subscribed = true;
            }
        }
        finally
        {
            _subscribeGate.Release();
        }
    }

    private sealed class Waiting
    {
        public readonly WakeSignal Signal = new();
        public int Count;
    }
}
