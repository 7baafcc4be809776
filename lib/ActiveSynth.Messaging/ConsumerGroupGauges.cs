using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>
/// Pending count and lag per (stream, group) as observable gauges. Observable callbacks must not do I/O,
/// so the maintenance job refreshes these numbers from XINFO GROUPS and the callbacks read the snapshot.
/// </summary>
internal sealed class ConsumerGroupGauges
{
    private readonly ConcurrentDictionary<(string Stream, string Group), (long Pending, long? Lag)> _latest = new();

    public ConsumerGroupGauges(MessagingMetrics metrics)
    {
        metrics.Meter.CreateObservableGauge("activesynth.messaging.pending", () => Measure(v => v.Pending), "{message}",
            "Entries delivered to a group and not yet acked (XINFO GROUPS pending).");
        metrics.Meter.CreateObservableGauge("activesynth.messaging.lag", () => Measure(v => v.Lag), "{message}",
            "Entries in the stream not yet delivered to a group (XINFO GROUPS lag).");
    }

    public void Update(string stream, StreamGroupInfo[] groups)
    {
        foreach (var group in groups)
        {
            _latest[(stream, group.Name)] = (group.PendingMessageCount, group.Lag);
        }
    }

    private IEnumerable<Measurement<long>> Measure(Func<(long Pending, long? Lag), long?> pick)
    {
        foreach (var ((stream, group), values) in _latest)
        {
            // Redis reports no lag when it cannot compute it (e.g. after deletions); then there is no point to plot.
            if (pick(values) is { } value)
            {
                yield return new Measurement<long>(value,
                    new KeyValuePair<string, object?>(MessagingMetrics.StreamTag, stream),
                    new KeyValuePair<string, object?>(MessagingMetrics.GroupTag, group));
            }
        }
    }
}
