using Google.Protobuf;

namespace ActiveSynth.Messaging;

/// <summary>
/// Handles messages of one type from a consumer group. Returning acks the entry; throwing leaves it
/// pending so it is retried (after the claim idle time) and dead-lettered after the configured number of
/// attempts. Handlers are resolved from a fresh DI scope per message, so they may be registered scoped.
/// Make the effect idempotent: use <see cref="IIdempotencyStore"/> for effects that live in Redis, or key
/// external effects by <see cref="StreamMessage{T}.Id"/> (see the library README, "Guarantees").
/// </summary>
public interface IStreamHandler<T> where T : IMessage<T>, new()
{
    /// <summary>Applies the message's effect. <paramref name="ct"/> is cancelled when the host stops.</summary>
    Task HandleAsync(StreamMessage<T> message, CancellationToken ct);
}
