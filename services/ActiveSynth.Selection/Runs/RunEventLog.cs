using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Messaging;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using StackExchange.Redis;

namespace ActiveSynth.Selection.Runs;

/// <summary>
/// Progress events of runs. Each event gets the run's next sequence number and is appended to the run's own log
/// (<see cref="RunKeys.Events"/>, entry id <c>0-&lt;sequence&gt;</c>, which WatchRun reads from any sequence) and published on
/// the contract's <c>activesynth:runs:events</c> stream (trace context included) for any other reader.
/// </summary>
public sealed class RunEventLog(IConnectionMultiplexer redis, IStreamPublisher publisher)
{
    private const string PayloadField = "payload";
    private const long SharedStreamMaxLength = 100_000;

    private IDatabase Db => redis.GetDatabase();

    public async Task<RunEvent> AppendAsync(string runId, int round, Action<RunEvent> fill, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(fill);
        var db = Db;
        var sequence = await db.StringIncrementAsync(RunKeys.EventSequence(runId)).ConfigureAwait(false);
        var @event = new RunEvent { RunId = runId, Sequence = sequence, At = Timestamp.FromDateTime(DateTime.UtcNow), Round = round };
        fill(@event);
        await db.StreamAddAsync(RunKeys.Events(runId), PayloadField, @event.ToByteArray(), messageId: $"0-{sequence}").ConfigureAwait(false);
        await publisher.PublishAsync(Streams.RunEvents, @event, runId, $"{runId}/event/{sequence}", ct).ConfigureAwait(false);
        if (sequence % 500 == 0)
        {
            await db.StreamTrimAsync(Streams.RunEvents, SharedStreamMaxLength, useApproximateMaxLength: true).ConfigureAwait(false);
        }
        return @event;
    }

    /// <summary>The run's events with a sequence above <paramref name="afterSequence"/>, in order.</summary>
    public async Task<IReadOnlyList<RunEvent>> ReadAsync(string runId, long afterSequence, int count = 200)
    {
        var entries = await Db.StreamRangeAsync(RunKeys.Events(runId), $"0-{afterSequence + 1}", "+", count).ConfigureAwait(false);
        return [.. entries.Select(e => RunEvent.Parser.ParseFrom((byte[])e[PayloadField]!))];
    }

    public async Task<long> LastSequenceAsync(string runId)
    {
        var value = await Db.StringGetAsync(RunKeys.EventSequence(runId)).ConfigureAwait(false);
        return value.IsNullOrEmpty ? 0 : (long)value;
    }
}
