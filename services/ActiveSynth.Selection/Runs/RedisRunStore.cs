using System.Text.Json;
using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Runs;
using ActiveSynth.Messaging;
using ActiveSynth.Selection.Options;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ActiveSynth.Selection.Runs;

/// <summary>
/// The Selection service's runs in Redis (<see cref="RunKeys"/>): spec (protobuf JSON), loop state
/// (<see cref="LoopStateJson"/>) and metadata per run, an index sorted by creation time, each run's event log,
/// and what keeps the keyspace bounded (a finished run's transient keys, DeleteRun). State and metadata are written together in
/// one MULTI/EXEC. Also what the service reads of the deployment's shared keys: the teachers' published prices and the default
/// run's marker. The one place of the service that talks to Redis itself (streams go through Messaging).
/// </summary>
public sealed partial class RedisRunStore(IConnectionMultiplexer redis, IStreamPublisher publisher, StreamTrimmer trimmer,
    IOptions<RetentionOptions> retention, ILogger<RedisRunStore> logger) : IRunStore, IDisposable
{
    private static readonly JsonSerializerOptions MetaJson = new(JsonSerializerDefaults.Web);
    private static readonly JsonParser SpecParser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    private IDatabase Db => redis.GetDatabase();

    /// <summary>Creates the run unless the id exists; false when it did (nothing written).</summary>
    public async Task<bool> CreateAsync(StoredRun run, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var id = run.Id;
        var tx = Db.CreateTransaction();
        tx.AddCondition(Condition.KeyNotExists(RunKeys.Spec(id)));
        _ = tx.StringSetAsync(
        [
            new(RunKeys.Spec(id), JsonFormatter.Default.Format(run.Spec)),
            new(RunKeys.State(id), LoopStateJson.Serialize(run.State)),
            new(RunKeys.Meta(id), JsonSerializer.Serialize(run.Meta, MetaJson)),
        ]);
        _ = tx.SortedSetAddAsync(RunKeys.Index, id, run.Meta.CreatedAt.ToUnixTimeMilliseconds());
        return await tx.ExecuteAsync().ConfigureAwait(false);
    }

    public async Task SaveAsync(LoopState state, RunMeta meta, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(meta);
        meta.UpdatedAt = DateTimeOffset.UtcNow;
        var tx = Db.CreateTransaction();
        _ = tx.StringSetAsync(
        [
            new(RunKeys.State(state.RunId), LoopStateJson.Serialize(state)),
            new(RunKeys.Meta(state.RunId), JsonSerializer.Serialize(meta, MetaJson)),
        ]);
        if (!await tx.ExecuteAsync().ConfigureAwait(false))
        {
            throw new RedisException($"Saving run {state.RunId} did not commit.");
        }
    }

    public async Task SaveSpecAsync(string runId, RunSpec spec, CancellationToken ct = default) =>
        await Db.StringSetAsync(RunKeys.Spec(runId), JsonFormatter.Default.Format(spec)).ConfigureAwait(false);

    public async Task<StoredRun?> GetAsync(string runId, CancellationToken ct = default)
    {
        var values = await Db.StringGetAsync([RunKeys.Spec(runId), RunKeys.State(runId), RunKeys.Meta(runId)]).ConfigureAwait(false);
        if (values.Any(v => v.IsNullOrEmpty))
        {
            return null;
        }
        return new StoredRun(runId, SpecParser.Parse<RunSpec>(values[0].ToString()), LoopStateJson.Deserialize(values[1].ToString()),
            JsonSerializer.Deserialize<RunMeta>(values[2].ToString(), MetaJson) ?? new RunMeta());
    }

    /// <summary>The run's metadata alone (not its state, which holds the whole seed pool); null when there is none.</summary>
    public async Task<RunMeta?> GetMetaAsync(string runId)
    {
        var value = await Db.StringGetAsync(RunKeys.Meta(runId)).ConfigureAwait(false);
        return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<RunMeta>(value.ToString(), MetaJson);
    }

    /// <summary>Run ids, newest first.</summary>
    public async Task<IReadOnlyList<string>> ListIdsAsync(long skip = 0, long take = -1)
    {
        var ids = await Db.SortedSetRangeByRankAsync(RunKeys.Index, skip, take < 0 ? -1 : skip + take - 1, Order.Descending).ConfigureAwait(false);
        return [.. ids.Select(i => i.ToString())];
    }

    /// <summary>Redis unreachable (<see cref="RedisOutage"/>): a run is interrupted, not failed.</summary>
    public bool IsUnavailable(Exception error) => RedisOutage.Is(error);

    public Task WaitUntilAvailableAsync(CancellationToken ct) => RedisOutage.WaitUntilAvailableAsync(redis, ct);

    /// <summary>What the deployment's Teacher replicas charge for, as the last of them published it (null before any has).</summary>
    public async Task<TeacherPricing?> TeacherPricingAsync()
    {
        var bytes = await Db.StringGetAsync(SharedKeys.TeacherPricing).ConfigureAwait(false);
        return bytes.IsNullOrEmpty ? null : TeacherPricing.Parser.ParseFrom((byte[])bytes!);
    }

    /// <summary>Takes the default run's marker of a spec (SET NX) for <paramref name="runId"/>; false when it was taken before.</summary>
    public Task<bool> TryMarkDefaultRunAsync(string specHash, string runId) =>
        Db.StringSetAsync(RunKeys.DefaultRunMarker(specHash), runId, when: When.NotExists);
}
