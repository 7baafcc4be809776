using System.Text.Json.Serialization;
using ActiveSynth.Cli.Compare;
using ActiveSynth.Core.Loop;

namespace ActiveSynth.Cli.PaperTable;

/// <summary>
/// One cell run of the paper table (benchmark × mode × strategy × seed), as the table keeps it: the learning curve, what the
/// teacher work cost (what the budget counts) and what the endpoint billed for it (absent in runs recorded before billing was
/// recorded), where the picks went and how long the run took. <see cref="SpecSha256"/> identifies the spec it ran, so a
/// rerun reuses a record only for the same spec; <see cref="Commit"/> is the build that ran it (a code change that alters results
/// needs a new table name or the old records removed: the spec does not see it).
/// </summary>
public sealed record PaperTableRun(
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("benchmark")] string Benchmark,
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("strategy")] string Strategy,
    [property: JsonPropertyName("seed")] long Seed,
    [property: JsonPropertyName("spec_sha256")] string SpecSha256,
    [property: JsonPropertyName("final")] double Final,
    [property: JsonPropertyName("auc")] double Auc,
    [property: JsonPropertyName("accuracy_by_round")] IReadOnlyList<double> AccuracyByRound,
    [property: JsonPropertyName("teacher_tokens_by_round")] IReadOnlyList<long> TeacherTokensByRound,
    [property: JsonPropertyName("samples")] long Samples,
    [property: JsonPropertyName("teacher_tokens")] long TeacherTokens,
    [property: JsonPropertyName("teacher_calls")] long TeacherCalls,
    [property: JsonPropertyName("wall_seconds")] double WallSeconds,
    [property: JsonPropertyName("stop_reason")] string StopReason,
    [property: JsonPropertyName("drops")] int Drops,
    [property: JsonPropertyName("picks_by_family")] IReadOnlyDictionary<string, int> PicksByFamily,
    [property: JsonPropertyName("commit")] string? Commit = null,
    [property: JsonPropertyName("billed_teacher_tokens"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? BilledTeacherTokens = null,
    [property: JsonPropertyName("cache_hits"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? CacheHits = null)
{
    /// <summary>The cell this run belongs to (all seeds of a strategy in one benchmark and mode).</summary>
    [JsonIgnore]
    public (string Benchmark, string Mode, string Strategy) Cell => (Benchmark, Mode, Strategy);

    public static PaperTableRun From(PaperTableCell cell, string runId, string specSha256, LoopState state)
    {
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentNullException.ThrowIfNull(state);
        var accuracy = state.Curve.Select(p => p.Accuracy).ToList();
        return new PaperTableRun(runId, cell.Benchmark, cell.Mode, cell.Strategy, cell.Seed, specSha256,
            accuracy.Count > 0 ? accuracy[^1] : double.NaN,
            Statistics.Auc(accuracy),
            accuracy,
            [.. state.Curve.Select(p => p.TeacherTokens)],
            state.Spent.Samples,
            state.Spent.TeacherTokens,
            state.Spent.TeacherCalls,
            Math.Round(state.Elapsed.TotalSeconds, 1),
            state.StopReason ?? "",
            state.Drops.Count,
            state.Selections.SelectMany(s => s.ByFamily).GroupBy(kv => kv.Key).OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value), StringComparer.Ordinal),
            Environment.GetEnvironmentVariable("ACTIVESYNTH_COMMIT"),
            state.Billed.TeacherTokens,
            state.Billed.CacheHits);
    }
}

/// <summary>What one run of the table is: benchmark, generation mode, strategy and paired seed.</summary>
public sealed record PaperTableCell(string Benchmark, string Mode, string Strategy, long Seed)
{
    /// <summary>Generation modes by the names the table uses.</summary>
    public const string SeedMode = "seed";

    public const string OvergenerateMode = "overgenerate";

    /// <summary>The run id on a deployment: fixed by the cell, so a rerun finds it (63 characters of [a-z0-9-] at most).</summary>
    public string RunId(string prefix) => FormattableString.Invariant($"{prefix}-{Benchmark}-{(Mode == SeedMode ? "seed" : "over")}-{Strategy}-s{Seed}");
}
