namespace ActiveSynth.Messaging;

/// <summary>
/// One delivered stream entry with its decoded payload.
/// </summary>
/// <param name="Stream">Stream the entry was read from.</param>
/// <param name="EntryId">Redis entry id (<c>ms-seq</c>).</param>
/// <param name="Id">Idempotency key written by the publisher.</param>
/// <param name="RunId">Run the message belongs to.</param>
/// <param name="Attempt">Delivery attempt in this consumer group, 1 on the first delivery (Redis' delivery count).</param>
/// <param name="Payload">The decoded protobuf message.</param>
public sealed record StreamMessage<T>(string Stream, string EntryId, string Id, string RunId, int Attempt, T Payload)
{
    /// <summary>Consumer group that delivered the entry (scopes the idempotency markers).</summary>
    public string Group { get; init; } = "";

    /// <summary>Name of the consumer handling the entry.</summary>
    public string Consumer { get; init; } = "";
}
