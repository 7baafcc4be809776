using ActiveSynth.Engine.Runs;
using ActiveSynth.Messaging;
using ActiveSynth.Selection.Telemetry;
using StackExchange.Redis;

namespace ActiveSynth.Selection.Runs;

/// <summary>How many Redis keys and artifact files went with a run.</summary>
public sealed record RunDeletion(long Keys, int Files);

/// <summary>
/// Deletes what a run leaves in Redis (<see cref="RunKeys"/> lists it): its transient keys when it finishes, all of it when it is
/// deleted. Keys are found with SCAN (never KEYS) and deleted with UNLINK in batches (<see cref="RedisKeyDeleter"/>).
/// </summary>
public sealed partial class RedisRunStore
{
    /// <summary>
    /// A finished run's transient keys go (<see cref="DeleteTransientAsync"/>), unless <see cref="Options.RetentionOptions.KeepReplies"/>
    /// keeps them for audits. Redis away then leaves them to their time to live and the retention sweeper: logged, not thrown.
    /// </summary>
    public async Task ReleaseAsync(StoredRun run, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (retention.Value.KeepReplies)
        {
            return;
        }
        try
        {
            logger.TransientKeysDeleted(run.Id, run.State.Status.ToString(), await DeleteTransientAsync(run.Id, ct).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.TransientKeysNotDeleted(ex, run.Id, ex.GetType().Name);
        }
    }

    /// <summary>
    /// Deletes the run's transient keys (stored replies, the teacher's seen questions, the streams' markers, leases) and keeps
    /// spec, state, meta and events. A resumed run asks again for what it finds no reply to, and is answered again, because its
    /// markers went too. Returns how many keys were deleted.
    /// </summary>
    public async Task<long> DeleteTransientAsync(string runId, CancellationToken ct = default)
    {
        var durable = RunKeys.Durable(runId);
        var deleted = await RedisKeyDeleter.DeleteAsync(redis, RunKeys.PrefixPattern(runId), durable.Contains, ct).ConfigureAwait(false);
        deleted += await RedisKeyDeleter.DeleteAsync(redis, RunKeys.RequestKeysPattern(runId), ct: ct).ConfigureAwait(false);
        deleted += await Db.KeyDeleteAsync(RunKeys.TeacherSeenQuestions(runId)).ConfigureAwait(false) ? 1 : 0;
        return deleted;
    }

    /// <summary>
    /// Deletes the streams' done and applied markers of the run's requests (before a resume): a request the run asks again for is
    /// then answered again even if its reply was stored and deleted after its worker marked it done. Stored replies and leases stay.
    /// </summary>
    public async Task<long> DeleteMarkersAsync(string runId, CancellationToken ct = default)
    {
        long deleted = 0;
        foreach (var pattern in RunKeys.MarkerPatterns(runId))
        {
            deleted += await RedisKeyDeleter.DeleteAsync(redis, pattern, ct: ct).ConfigureAwait(false);
        }
        return deleted;
    }

    /// <summary>True when anything of the run is stored: its spec, or its entry in the index (a delete that stopped half way).</summary>
    public async Task<bool> ExistsAsync(string runId)
    {
        var db = Db;
        return await db.KeyExistsAsync(RunKeys.Spec(runId)).ConfigureAwait(false)
            || await db.SortedSetScoreAsync(RunKeys.Index, runId).ConfigureAwait(false) is not null;
    }

    /// <summary>
    /// Deletes every key of the run: everything under its prefix, its transient keys outside it, its entry in the index. The spec
    /// goes last with the index entry, so a delete that stops half way is still found (and finished) by the next one.
    /// Returns how many keys were deleted.
    /// </summary>
    public async Task<long> DeleteAllAsync(string runId, CancellationToken ct = default)
    {
        var spec = RunKeys.Spec(runId);
        var deleted = await DeleteTransientAsync(runId, ct).ConfigureAwait(false);
        deleted += await RedisKeyDeleter.DeleteAsync(redis, RunKeys.PrefixPattern(runId), key => key == spec, ct).ConfigureAwait(false);
        var tx = Db.CreateTransaction();
        var specDeleted = tx.KeyDeleteAsync(spec);
        _ = tx.SortedSetRemoveAsync(RunKeys.Index, runId);
        await tx.ExecuteAsync().ConfigureAwait(false);
        return deleted + (await specDeleted.ConfigureAwait(false) ? 1 : 0);
    }
}
