using ActiveSynth.Contracts;
using ActiveSynth.Messaging;
using StackExchange.Redis;

namespace ActiveSynth.Selection.Runs;

/// <summary>
/// Wakes WatchRun's readers when any run appends an event: <see cref="RunEventLog"/> publishes every event on the shared events
/// stream, whose publisher signals the stream's wake channel. A watcher then reads its own run's log at once instead of at its
/// next poll; a lost signal only delays it by one <see cref="Options.SelectionOptions.WatchPollInterval"/>.
/// </summary>
public sealed class RunEventSignal(IConnectionMultiplexer redis) : IDisposable
{
    private readonly WakeSignal _signal = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _subscribed;

    /// <summary>A task that completes at the next event after this call (take it before reading, so none is missed).</summary>
    public async Task<Task> NextAsync()
    {
        if (!_subscribed)
        {
            await _gate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (!_subscribed)
                {
                    await redis.GetSubscriber().SubscribeAsync(StreamKeys.WakeChannel(Streams.RunEvents), (_, _) => _signal.Set()).ConfigureAwait(false);
                    _subscribed = true;
                }
            }
            finally
            {
                _gate.Release();
            }
        }
        return _signal.Next();
    }

    public void Dispose() => _gate.Dispose();
}
