using ActiveSynth.Teachers.Validation;
using StackExchange.Redis;

namespace ActiveSynth.Teacher.Infrastructure;

/// <summary>
/// The run's kept question hashes in one Redis hash per run (hash → sample id), so replicas agree on
/// duplicates. HSETNX claims a hash atomically; a redelivered request finds its own sample id and passes.
/// </summary>
public sealed class RedisSeenQuestions(IConnectionMultiplexer redis) : ISeenQuestions
{
    private static readonly TimeSpan KeepFor = TimeSpan.FromDays(30);

    public async Task<bool> TryClaimAsync(string scope, string hash, string sampleId, CancellationToken ct = default)
    {
        var db = redis.GetDatabase();
        var key = $"activesynth:teacher:seen:{scope}";
        if (await db.HashSetAsync(key, hash, sampleId, When.NotExists).ConfigureAwait(false))
        {
            await db.KeyExpireAsync(key, KeepFor).ConfigureAwait(false);
            return true;
        }
        return await db.HashGetAsync(key, hash).ConfigureAwait(false) == sampleId;
    }
}
