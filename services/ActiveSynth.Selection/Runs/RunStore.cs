using System.Text.Json;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Reports;
using Google.Protobuf;
using StackExchange.Redis;

namespace ActiveSynth.Selection.Runs;

/// <summary>A run as stored: its spec, the loop's state and the service's metadata.</summary>
public sealed record StoredRun(string Id, RunSpec Spec, LoopState State, RunMeta Meta)
{
    /// <summary>What the run's report is built from (the same input an in-process run reports from).</summary>
    public ReportInput ToReportInput() => RunReports.Input(Spec, State, Meta.StageTimes, Meta.Checkpoints, Meta.FinishedAt);
}

/// <summary>
/// The durable run store in Redis: spec (protobuf JSON), loop state (<see cref="LoopStateJson"/>) and metadata per run, plus an
/// index sorted by creation time. State and metadata are written together in one MULTI/EXEC.
/// </summary>
public sealed class RunStore(IConnectionMultiplexer redis)
{
    private static readonly JsonSerializerOptions MetaJson = new(JsonSerializerDefaults.Web);
    private static readonly JsonParser SpecParser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    private IDatabase Db => redis.GetDatabase();

    /// <summary>Creates the run unless the id exists; false when it did (nothing written).</summary>
    public async Task<bool> CreateAsync(string id, RunSpec spec, LoopState state, RunMeta meta)
    {
        var tx = Db.CreateTransaction();
        tx.AddCondition(Condition.KeyNotExists(RunKeys.Spec(id)));
        _ = tx.StringSetAsync(
        [
            new(RunKeys.Spec(id), JsonFormatter.Default.Format(spec)),
            new(RunKeys.State(id), LoopStateJson.Serialize(state)),
            new(RunKeys.Meta(id), JsonSerializer.Serialize(meta, MetaJson)),
        ]);
        _ = tx.SortedSetAddAsync(RunKeys.Index, id, meta.CreatedAt.ToUnixTimeMilliseconds());
        return await tx.ExecuteAsync().ConfigureAwait(false);
    }

    public async Task SaveAsync(LoopState state, RunMeta meta)
    {
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

    public async Task UpdateSpecAsync(string id, RunSpec spec) =>
        await Db.StringSetAsync(RunKeys.Spec(id), JsonFormatter.Default.Format(spec)).ConfigureAwait(false);

    public async Task<StoredRun?> GetAsync(string id)
    {
        var db = Db;
        var values = await db.StringGetAsync([RunKeys.Spec(id), RunKeys.State(id), RunKeys.Meta(id)]).ConfigureAwait(false);
        if (values.Any(v => v.IsNullOrEmpty))
        {
            return null;
        }
        return new StoredRun(id, SpecParser.Parse<RunSpec>(values[0].ToString()), LoopStateJson.Deserialize(values[1].ToString()),
            JsonSerializer.Deserialize<RunMeta>(values[2].ToString(), MetaJson) ?? new RunMeta());
    }

    /// <summary>The run's metadata alone (not its state, which holds the whole seed pool); null when there is none.</summary>
    public async Task<RunMeta?> GetMetaAsync(string id)
    {
        var value = await Db.StringGetAsync(RunKeys.Meta(id)).ConfigureAwait(false);
        return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<RunMeta>(value.ToString(), MetaJson);
    }

    /// <summary>Run ids, newest first.</summary>
    public async Task<IReadOnlyList<string>> ListIdsAsync(long skip = 0, long take = -1)
    {
        var ids = await Db.SortedSetRangeByRankAsync(RunKeys.Index, skip, take < 0 ? -1 : skip + take - 1, Order.Descending).ConfigureAwait(false);
        return [.. ids.Select(i => i.ToString())];
    }
}
