using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>Keys an effect by the message's stream, group and idempotency id.</summary>
public static class IdempotencyStoreExtensions
{
    /// <summary>
    /// Applies <paramref name="effect"/> once per (stream, group, message id, effect name): the usual call in a
    /// handler whose effect lives in Redis.
    /// </summary>
    public static Task<bool> ApplyOnceAsync<T>(this IIdempotencyStore store, StreamMessage<T> message,
        Action<ITransaction> effect, string effectName = "effect", TimeSpan? ttl = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(message);
        return store.ApplyOnceAsync(StreamKeys.EffectMarker(message.Stream, message.Group, message.Id, effectName), effect, ttl, ct);
    }
}
