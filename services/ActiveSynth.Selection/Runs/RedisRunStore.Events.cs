using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Messaging;
using Google.Protobuf;

namespace ActiveSynth.Selection.Runs;

/// <summary>
/// Progress events of runs. Each event gets the run's next sequence number and is appended to the run's own log
/// (<see cref="RunKeys.Events"/>, entry id <c>0-&lt;sequence&gt;</c>, which WatchRun reads from any sequence) and published on
/// the contract's <c>activesynth:runs:events</c> stream (through Messaging's publisher, trace context included, trimmed to its
/// newest entries now and then) for any other reader; its publisher's wake signal tells WatchRun's readers to look.
/// </summary>
public sealed partial class RedisRunStore
{
    private const string PayloadField = "payload";
    private const long SharedStreamMaxLength = 100_000;

    private readonly WakeSignal _eventSignal = new();
    private readonly SemaphoreSlim _subscribeGate = new(1, 1);
    private volatile bool _subscribed;

    public async Task AppendEventAsync(RunEvent @event, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var db = Db;
        var runId = @event.RunId;
        var sequence = await db.StringIncrementAsync(RunKeys.EventSequence(runId)).ConfigureAwait(false);
        @event.Sequence = sequence;
        await db.StreamAddAsync(RunKeys.Events(runId), PayloadField, @event.ToByteArray(), messageId: $"0-{sequence}").ConfigureAwait(false);
        await publisher.PublishAsync(Streams.RunEvents, @event, runId, $"{runId}/event/{sequence}", ct).ConfigureAwait(false);
        if (sequence % 500 == 0)
        {
            await trimmer.TrimToLengthAsync(Streams.RunEvents, SharedStreamMaxLength).ConfigureAwait(false);
        }
    }

    /// <summary>The run's events with a sequence above <paramref name="afterSequence"/>, in order.</summary>
    public async Task<IReadOnlyList<RunEvent>> ReadEventsAsync(string runId, long afterSequence, int count = 200)
    {
        var entries = await Db.StreamRangeAsync(RunKeys.Events(runId), $"0-{afterSequence + 1}", "+", count).ConfigureAwait(false);
        return [.. entries.Select(e => RunEvent.Parser.ParseFrom((byte[])e[PayloadField]!))];
    }

    public async Task<long> LastEventSequenceAsync(string runId)
    {
        var value = await Db.StringGetAsync(RunKeys.EventSequence(runId)).ConfigureAwait(false);
        return value.IsNullOrEmpty ? 0 : (long)value;
    }

    /// <summary>
    /// A task that completes at the next event of any run after this call (take it before reading, so none is missed): the
    /// shared events stream's wake channel. A lost signal only delays a reader until its next poll.
    /// </summary>
    public async Task<Task> NextEventAsync()
    {
        if (!_subscribed)
        {
            await _subscribeGate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (!_subscribed)
                {
                    await redis.GetSubscriber().SubscribeAsync(StreamKeys.WakeChannel(Streams.RunEvents), (_, _) => _eventSignal.Set()).ConfigureAwait(false);
                    _subscribed = true;
                }
            }
            finally
            {
                _subscribeGate.Release();
            }
        }
        return _eventSignal.Next();
    }

    public void Dispose() => _subscribeGate.Dispose();
}
