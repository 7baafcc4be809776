using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>
/// Applies an effect that lives in Redis at most once per key: the effect's commands and a marker key are
/// committed in one transaction that only executes while the marker does not exist (WATCH + MULTI/EXEC).
/// A redelivered or duplicated message therefore cannot apply its effect twice, even when two consumers
/// handle duplicates at the same moment. Effects outside Redis cannot join the transaction: see the
/// library README ("Guarantees") for how to make those idempotent.
/// </summary>
public interface IIdempotencyStore
{
    /// <summary>
    /// Queues <paramref name="effect"/>'s commands on a transaction together with <c>SET key 1 EX ttl</c> and
    /// executes it only if <paramref name="key"/> does not exist yet.
    /// </summary>
    /// <param name="key">Marker key; <see cref="StreamKeys.EffectMarker"/> for stream messages.</param>
    /// <param name="effect">Queues commands on the transaction; it must not await them (they complete on EXEC).</param>
    /// <param name="ttl">How long the marker is kept; a duplicate arriving later applies again. Default 7 days.</param>
    /// <param name="ct">Cancels waiting; the transaction may still have committed.</param>
    /// <returns>True if this call applied the effect, false if it had already been applied.</returns>
    Task<bool> ApplyOnceAsync(string key, Action<ITransaction> effect, TimeSpan? ttl = null, CancellationToken ct = default);

    /// <summary>True when the marker for <paramref name="key"/> exists.</summary>
    Task<bool> IsAppliedAsync(string key, CancellationToken ct = default);
}
