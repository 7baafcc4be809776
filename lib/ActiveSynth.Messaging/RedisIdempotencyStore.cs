using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>Redis implementation of <see cref="IIdempotencyStore"/> (conditional transaction).</summary>
public sealed class RedisIdempotencyStore(IConnectionMultiplexer redis) : IIdempotencyStore
{
    /// <summary>Marker lifetime when the caller gives none: longer than any run, short enough not to pile up.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromDays(7);

    /// <inheritdoc />
    public async Task<bool> ApplyOnceAsync(string key, Action<ITransaction> effect, TimeSpan? ttl = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(effect);

        var tx = redis.GetDatabase().CreateTransaction();
        // The condition makes StackExchange.Redis WATCH the key: if another client sets it between the check and
        // EXEC, EXEC aborts and nothing of this effect is applied.
        tx.AddCondition(Condition.KeyNotExists(key));
        var marker = tx.StringSetAsync(key, 1, ttl ?? DefaultTtl);
        effect(tx);
        var committed = await tx.ExecuteAsync().WaitAsync(ct).ConfigureAwait(false);
        if (committed)
        {
            await marker.ConfigureAwait(false);
        }
        return committed;
    }

    /// <inheritdoc />
    public Task<bool> IsAppliedAsync(string key, CancellationToken ct = default) =>
        redis.GetDatabase().KeyExistsAsync(key).WaitAsync(ct);
}
