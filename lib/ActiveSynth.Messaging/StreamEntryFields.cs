namespace ActiveSynth.Messaging;

/// <summary>
/// Field names of a stream entry. They are part of the wire contract (protos/README.md): another
/// implementation that reads or writes our streams (a Python scorer, say) must use exactly these.
/// </summary>
public static class StreamEntryFields
{
    /// <summary>Full protobuf name of the payload's message type, e.g. <c>activesynth.v1.ScoreRequest</c>.</summary>
    public const string Type = "type";

    /// <summary>Protobuf bytes of the message.</summary>
    public const string Payload = "payload";

    /// <summary>Run the message belongs to.</summary>
    public const string Run = "run";

    /// <summary>Idempotency key chosen by the publisher (e.g. <c>run/round/seed/attempt</c>): an effect keyed by it is applied once.</summary>
    public const string Id = "id";

    /// <summary>W3C trace context of the publishing span.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>W3C trace state of the publishing span (absent when empty).</summary>
    public const string TraceState = "tracestate";

    /// <summary>Publish attempt of the logical work item; the publisher writes 1. Delivery attempts are counted by Redis, not here.</summary>
    public const string Attempt = "attempt";

    // Fields added when an entry is moved to a dead-letter stream, next to the original fields.

    /// <summary>Why the entry was dead-lettered: exception type and message, or a "poison: ..." reason. Never a stack trace.</summary>
    public const string Error = "error";

    /// <summary>Stream the dead-lettered entry came from.</summary>
    public const string SourceStream = "source_stream";

    /// <summary>Entry id in the source stream.</summary>
    public const string SourceEntryId = "source_entry";

    /// <summary>Consumer group that gave up on the entry.</summary>
    public const string Group = "group";

    /// <summary>Consumer that dead-lettered the entry.</summary>
    public const string Consumer = "consumer";

    /// <summary>How many times the group delivered the entry before giving up.</summary>
    public const string Deliveries = "deliveries";
}
