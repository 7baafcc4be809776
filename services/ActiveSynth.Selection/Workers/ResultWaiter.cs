using System.Collections.Concurrent;
using ActiveSynth.Engine;
using ActiveSynth.Messaging;
using ActiveSynth.Selection.Options;
using ActiveSynth.Selection.Runs;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ActiveSynth.Selection.Workers;

/// <summary>
/// Finds the stored result of a request: woken by the pub/sub notification of <see cref="StoredResultHandler{T}"/>, with a poll
/// as fallback (a notification is fire-and-forget), and checks the request stream's dead letters now and then so a request a
/// worker gave up on fails its step instead of waiting for ever.
/// </summary>
public sealed class ResultWaiter(IConnectionMultiplexer redis, IOptions<SelectionOptions> options)
{
    private readonly ConcurrentDictionary<string, SignalBox> _waiting = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _subscribeGate = new(1, 1);
    private volatile bool _subscribed;

    public async Task<T?> TryGetAsync<T>(string runId, string requestId) where T : IMessage<T>, new()
    {
        var value = await redis.GetDatabase().StringGetAsync(RunKeys.Result(runId, requestId)).ConfigureAwait(false);
        return value.IsNullOrEmpty ? default : new MessageParser<T>(() => new T()).ParseFrom((byte[])value!);
    }

    public async Task<T> WaitAsync<T>(string runId, string requestId, string requestStream, TimeSpan timeout, CancellationToken ct)
        where T : IMessage<T>, new()
    {
        await EnsureSubscribedAsync().ConfigureAwait(false);
        var key = RunKeys.Result(runId, requestId);
        var box = _waiting.GetOrAdd(key, _ => new SignalBox());
        Interlocked.Increment(ref box.Waiters);
        try
        {
            var o = options.Value;
            var deadline = DateTime.UtcNow + timeout;
            var nextDeadLetterCheck = DateTime.UtcNow + o.DeadLetterCheckInterval;
            while (true)
            {
                var signal = box.Next();
                if (await TryGetAsync<T>(runId, requestId).ConfigureAwait(false) is { } result)
                {
                    return result;
                }
                var now = DateTime.UtcNow;
                if (now >= deadline)
                {
                    throw new WorkerFailedException($"no result for request '{requestId}' within {timeout.TotalSeconds:0} s");
                }
                if (now >= nextDeadLetterCheck)
                {
                    nextDeadLetterCheck = now + o.DeadLetterCheckInterval;
                    if (await DeadLetterErrorAsync(requestStream, requestId).ConfigureAwait(false) is { } error)
                    {
                        throw new WorkerFailedException($"request '{requestId}' was dead-lettered by its worker: {error}");
                    }
                }
                await Task.WhenAny(signal, Task.Delay(o.ResultPollInterval, ct)).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            if (Interlocked.Decrement(ref box.Waiters) == 0)
            {
                _waiting.TryRemove(KeyValuePair.Create(key, box));
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
                await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RunKeys.ResultsChannel), (_, key) =>
                {
                    if (_waiting.TryGetValue(key.ToString(), out var box))
                    {
                        box.Signal();
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

    private sealed class SignalBox
    {
        private TaskCompletionSource _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Waiters;

        /// <summary>A task that completes at the next signal (taken before looking, so a signal in between is not missed).</summary>
        public Task Next() => Volatile.Read(ref _tcs).Task;

        public void Signal() => Interlocked.Exchange(ref _tcs, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
