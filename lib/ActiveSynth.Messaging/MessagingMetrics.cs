using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ActiveSynth.Messaging;

/// <summary>
/// Counters and the handler-duration histogram of the Meter "ActiveSynth.Messaging". Created through
/// IMeterFactory so that each host (and each test host) gets its own meter instance.
/// </summary>
internal sealed class MessagingMetrics
{
    internal const string StreamTag = "messaging.destination.name";
    internal const string GroupTag = "messaging.consumer.group.name";
    internal const string ReasonTag = "reason";

    private readonly Counter<long> _published;
    private readonly Counter<long> _consumed;
    private readonly Counter<long> _acked;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _duplicates;
    private readonly Histogram<double> _handlerDuration;

    public MessagingMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MessagingDiagnostics.Name);
        _published = Meter.CreateCounter<long>("activesynth.messaging.published", "{message}", "Entries added to a stream.");
        _consumed = Meter.CreateCounter<long>("activesynth.messaging.consumed", "{message}", "Entries handed to a handler.");
        _acked = Meter.CreateCounter<long>("activesynth.messaging.acked", "{message}", "Entries acknowledged after their handler returned.");
        _failed = Meter.CreateCounter<long>("activesynth.messaging.failed", "{message}", "Handler invocations that threw.");
        _deadLettered = Meter.CreateCounter<long>("activesynth.messaging.dead_lettered", "{message}", "Entries moved to a dead-letter stream.");
        _duplicates = Meter.CreateCounter<long>("activesynth.messaging.duplicates", "{message}", "Entries skipped because their id was already handled.");
        _handlerDuration = Meter.CreateHistogram<double>("activesynth.messaging.handler.duration", "s", "Handler duration.");
    }

    public Meter Meter { get; }

    public void Published(string stream) => _published.Add(1, new KeyValuePair<string, object?>(StreamTag, stream));

    public void Consumed(string stream, string group) => _consumed.Add(1, Tags(stream, group));

    public void Acked(string stream, string group, int count) => _acked.Add(count, Tags(stream, group));

    public void Failed(string stream, string group) => _failed.Add(1, Tags(stream, group));

    public void Duplicate(string stream, string group) => _duplicates.Add(1, Tags(stream, group));

    public void DeadLettered(string stream, string group, string reason)
    {
        var tags = Tags(stream, group);
        tags.Add(ReasonTag, reason);
        _deadLettered.Add(1, tags);
    }

    public void HandlerDuration(string stream, string group, double seconds) => _handlerDuration.Record(seconds, Tags(stream, group));

    private static TagList Tags(string stream, string group) => new() { { StreamTag, stream }, { GroupTag, group } };
}
