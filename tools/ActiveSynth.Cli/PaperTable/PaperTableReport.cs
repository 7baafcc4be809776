using System.Text.Json;
using System.Text.Json.Serialization;
using ActiveSynth.Cli.Compare;

namespace ActiveSynth.Cli.PaperTable;

/// <summary>
/// The paper's table (issue 18): every strategy × paired seed × generation mode × benchmark at one teacher-token budget, through
/// one engine. Per cell (benchmark, mode, strategy): final accuracy and normalised AUC, mean ± std over seeds; the paired
/// difference to the baseline (same seed = same pool, test set and base) with a 95 % bootstrap interval and the seeds where it
/// wins; the rank within its benchmark and mode; teacher tokens and wall seconds per run. The claims of the paper, tested on
/// these figures, open the report (<see cref="PaperTableClaims"/>). Everything is computed from <see cref="Runs"/>, and the JSON
/// keeps them all, so the Markdown and the PNG can be rendered again from it.
/// </summary>
public sealed record PaperTableReport(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("config")] IReadOnlyDictionary<string, string> Config,
    [property: JsonPropertyName("baseline")] string Baseline,
    [property: JsonPropertyName("benchmarks")] IReadOnlyDictionary<string, string> Benchmarks,
    [property: JsonPropertyName("modes")] IReadOnlyList<string> Modes,
    [property: JsonPropertyName("strategies")] IReadOnlyList<string> Strategies,
    [property: JsonPropertyName("seeds")] IReadOnlyList<long> Seeds,
    [property: JsonPropertyName("cells")] IReadOnlyList<PaperTableSummary> Cells,
    [property: JsonPropertyName("ranks")] IReadOnlyList<StrategyRank> Ranks,
    [property: JsonPropertyName("claims")] IReadOnlyList<PaperClaim> Claims,
    [property: JsonPropertyName("runs")] IReadOnlyList<PaperTableRun> Runs)
{
    public const string KindName = "paper-table";

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <param name="benchmarks">Benchmark name → its families (in table order).</param>
    public static PaperTableReport Build(IReadOnlyDictionary<string, string> config, string baseline, IReadOnlyDictionary<string, string> benchmarks,
        IReadOnlyList<string> modes, IReadOnlyList<string> strategies, IReadOnlyList<PaperTableRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var ordered = runs.OrderBy(r => Index(benchmarks.Keys, r.Benchmark)).ThenBy(r => Index(modes, r.Mode))
            .ThenBy(r => Index(strategies, r.Strategy)).ThenBy(r => r.Seed).ToList();
        var cells = new List<PaperTableSummary>();
        foreach (var setting in ordered.GroupBy(r => (r.Benchmark, r.Mode)))
        {
            var baselineBySeed = setting.Where(r => r.Strategy == baseline).ToDictionary(r => r.Seed);
            var summaries = setting.GroupBy(r => r.Strategy).Select(g => PaperTableSummary.Build([.. g], baselineBySeed)).ToList();
            var ranked = summaries.OrderByDescending(s => s.FinalMean).ThenByDescending(s => s.AucMean).ThenBy(s => Index(strategies, s.Strategy)).ToList();
            cells.AddRange(summaries.Select(s => s with { Rank = ranked.IndexOf(s) + 1 }));
        }
        var ranks = strategies.Where(s => cells.Any(c => c.Strategy == s)).Select(s =>
        {
            var bySetting = cells.Where(c => c.Strategy == s).ToDictionary(c => c.Setting, c => c.Rank, StringComparer.Ordinal);
            return new StrategyRank(s, bySetting, bySetting.Values.Average());
        }).OrderBy(r => r.MeanRank).ToList();
        var seeds = ordered.Select(r => r.Seed).Distinct().Order().ToList();
        var report = new PaperTableReport(KindName, config, baseline, benchmarks, modes, strategies, seeds, cells, ranks, [], ordered);
        return report with { Claims = PaperTableClaims.Test(report) };
    }

    /// <summary>The report computed again from its runs and configuration: every derived figure, rank and claim afresh.</summary>
    public PaperTableReport Rebuild() => Build(Config, Baseline, Benchmarks, Modes, Strategies, Runs);

    /// <summary>The settings (benchmark/mode) that ran, in table order.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Settings => [.. Cells.Select(c => c.Setting).Distinct()];

    public PaperTableSummary? Cell(string setting, string strategy) => Cells.FirstOrDefault(c => c.Setting == setting && c.Strategy == strategy);

    /// <summary>Final accuracy per seed of <paramref name="strategy"/> in <paramref name="setting"/>.</summary>
    public IReadOnlyDictionary<long, double> FinalBySeed(string setting, string strategy) =>
        Runs.Where(r => $"{r.Benchmark}/{r.Mode}" == setting && r.Strategy == strategy).ToDictionary(r => r.Seed, r => r.Final);

    /// <summary>The paired difference of final accuracy <paramref name="a"/> − <paramref name="b"/> over the seeds both ran; null when none.</summary>
    public PairedDifference? FinalDifference(string setting, string a, string b)
    {
        var left = FinalBySeed(setting, a);
        var right = FinalBySeed(setting, b);
        var paired = left.Keys.Where(right.ContainsKey).Order().Select(seed => left[seed] - right[seed]).ToList();
        return paired.Count == 0 ? null : PairedDifference.Of(paired);
    }

    public static PaperTableReport Read(string json) =>
        JsonSerializer.Deserialize<PaperTableReport>(json, JsonOptions) is { Kind: KindName } report
            ? report
            : throw new InvalidDataException($"not a {KindName} report (its \"kind\" must be \"{KindName}\")");

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    private static int Index(IEnumerable<string> order, string value)
    {
        var i = order.ToList().IndexOf(value);
        return i < 0 ? int.MaxValue : i;
    }
}

/// <summary>One strategy in one benchmark and mode, over its paired seeds (accuracies as fractions; the Markdown shows points).</summary>
public sealed record PaperTableSummary(
    [property: JsonPropertyName("benchmark")] string Benchmark,
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("strategy")] string Strategy,
    [property: JsonPropertyName("runs")] int Runs,
    [property: JsonPropertyName("final_mean")] double FinalMean,
    [property: JsonPropertyName("final_std")] double FinalStd,
    [property: JsonPropertyName("auc_mean")] double AucMean,
    [property: JsonPropertyName("auc_std")] double AucStd,
    [property: JsonPropertyName("delta_final_vs_baseline")] PairedDifference? DeltaFinal,
    [property: JsonPropertyName("wins_final_vs_baseline")] int WinsFinal,
    [property: JsonPropertyName("delta_auc_vs_baseline")] PairedDifference? DeltaAuc,
    [property: JsonPropertyName("wins_auc_vs_baseline")] int WinsAuc,
    [property: JsonPropertyName("rank")] int Rank,
    [property: JsonPropertyName("samples_mean")] double SamplesMean,
    [property: JsonPropertyName("teacher_tokens_mean")] double TeacherTokensMean,
    [property: JsonPropertyName("teacher_tokens_max")] long TeacherTokensMax,
    [property: JsonPropertyName("wall_seconds_mean")] double WallSecondsMean,
    [property: JsonPropertyName("pick_share_by_family")] IReadOnlyDictionary<string, double> PickShareByFamily)
{
    /// <summary>"benchmark/mode".</summary>
    [JsonIgnore]
    public string Setting => $"{Benchmark}/{Mode}";

    public static PaperTableSummary Build(IReadOnlyList<PaperTableRun> runs, IReadOnlyDictionary<long, PaperTableRun> baseline)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(baseline);
        var first = runs[0];
        var finals = runs.Select(r => r.Final).ToList();
        var aucs = runs.Select(r => r.Auc).ToList();
        var paired = runs.Where(r => baseline.ContainsKey(r.Seed)).ToList();
        var deltaFinal = paired.Select(r => r.Final - baseline[r.Seed].Final).ToList();
        var deltaAuc = paired.Select(r => r.Auc - baseline[r.Seed].Auc).ToList();
        var picks = runs.SelectMany(r => r.PicksByFamily).GroupBy(kv => kv.Key).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var total = Math.Max(1, picks.Sum(g => g.Sum(kv => kv.Value)));
        return new PaperTableSummary(first.Benchmark, first.Mode, first.Strategy, runs.Count,
            Statistics.Mean(finals), Statistics.Std(finals), Statistics.Mean(aucs), Statistics.Std(aucs),
            paired.Count > 0 ? PairedDifference.Of(deltaFinal) : null, deltaFinal.Count(d => d > 0),
            paired.Count > 0 ? PairedDifference.Of(deltaAuc) : null, deltaAuc.Count(d => d > 0),
            0,
            runs.Average(r => (double)r.Samples),
            runs.Average(r => (double)r.TeacherTokens),
            runs.Max(r => r.TeacherTokens),
            runs.Average(r => r.WallSeconds),
            picks.ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value) / (double)total, StringComparer.Ordinal));
    }
}

/// <summary>A strategy's rank (1 = best final accuracy) in each benchmark/mode it ran, and their mean.</summary>
public sealed record StrategyRank(
    [property: JsonPropertyName("strategy")] string Strategy,
    [property: JsonPropertyName("rank_by_setting")] IReadOnlyDictionary<string, int> RankBySetting,
    [property: JsonPropertyName("mean_rank")] double MeanRank);

/// <summary>One of the paper's claims tested on the table: whether it holds here, and the sentence that says so with the figures.</summary>
public sealed record PaperClaim(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("verdict")] string Verdict,
    [property: JsonPropertyName("text")] string Text);
