using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;

namespace ActiveSynth.Cli.Compare;

/// <summary>
/// Strategies × seeds at one budget, summarised the way embedded-benchmark.md recommends: per-round mean ± std,
/// final accuracy, AUC over rounds 1..R, the paired difference to the baseline (same seed = same pool, test set and
/// base) with a bootstrap interval, wins, and where each strategy spent its picks.
/// </summary>
public sealed record ComparisonReport(
    [property: JsonPropertyName("config")] IReadOnlyDictionary<string, string> Config,
    [property: JsonPropertyName("baseline")] string Baseline,
    [property: JsonPropertyName("seeds")] IReadOnlyList<long> Seeds,
    [property: JsonPropertyName("strategies")] IReadOnlyList<StrategySummary> Strategies)
{
    public static ComparisonReport Build(IReadOnlyDictionary<string, string> config, string baseline, IReadOnlyList<(string Strategy, long Seed, LoopState Run)> runs)
    {
        var seeds = runs.Select(r => r.Seed).Distinct().Order().ToList();
        var baselineBySeed = runs.Where(r => r.Strategy == baseline).ToDictionary(r => r.Seed, r => r.Run);
        var strategies = runs.GroupBy(r => r.Strategy)
            .Select(g => StrategySummary.Build(g.Key, g.OrderBy(r => r.Seed).Select(r => (r.Seed, r.Run)).ToList(), baselineBySeed))
            .ToList();
        return new ComparisonReport(config, baseline, seeds, strategies);
    }

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Strategy comparison ({Seeds.Count} paired seeds, baseline `{Baseline}`)");
        md.AppendLine();
        md.AppendLine(string.Join(", ", Config.Select(kv => $"{kv.Key} = {kv.Value}")));
        md.AppendLine();
        md.AppendLine("Accuracy is exact match on the held-out set, in points (%). AUC = mean accuracy over rounds 1..R. Δ = paired difference to the baseline (same seed: same pool, test set and base), mean with a 95 % bootstrap interval over seeds; wins = seeds where Δ AUC > 0.");
        md.AppendLine();
        md.AppendLine("| strategy | round 0 | final | AUC | Δ final [95 % CI] | Δ AUC [95 % CI] | wins | samples | teacher tokens | picks already correct |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in Strategies.OrderByDescending(s => s.AucMean))
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| `{s.Strategy}` | {Pct(s.Round0Mean)} | {Pct(s.FinalMean)} ± {Pct(s.FinalStd)} | {Pct(s.AucMean)} ± {Pct(s.AucStd)} | {Delta(s.DeltaFinal)} | {Delta(s.DeltaAuc)} | {s.Wins}/{s.Runs} | {s.SamplesMean:0} | {s.TeacherTokensMean:N0} | {(double.IsNaN(s.AlreadyCorrectShare) ? "n/a (not scored)" : s.AlreadyCorrectShare.ToString("P0", CultureInfo.InvariantCulture))} |");
        }
        md.AppendLine();
        md.AppendLine("Mean accuracy per round (points):");
        md.AppendLine();
        var rounds = Strategies.Max(s => s.AccuracyByRound.Count);
        md.AppendLine("| strategy | " + string.Join(" | ", Enumerable.Range(0, rounds)) + " |");
        md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", rounds)));
        foreach (var s in Strategies)
        {
            md.AppendLine($"| `{s.Strategy}` | " + string.Join(" | ", s.AccuracyByRound.Select(p => Pct(p.Mean))) + " |");
        }
        md.AppendLine();
        md.AppendLine("Pick share per family and per difficulty (all rounds, all seeds):");
        md.AppendLine();
        foreach (var s in Strategies)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"- `{s.Strategy}`: {string.Join(", ", s.PickShareByFamily.Select(kv => $"{kv.Key} {kv.Value:P0}"))}; {string.Join(", ", s.PickShareByDifficulty.Select(kv => $"d{kv.Key} {kv.Value:P0}"))}");
        }
        return md.ToString();
    }

    private static string Pct(double value) => double.IsNaN(value) ? "–" : (100 * value).ToString("0.0", CultureInfo.InvariantCulture);

    private static string Delta(PairedDifference? d) => d is null ? "–"
        : string.Create(CultureInfo.InvariantCulture, $"{100 * d.Mean:+0.0;-0.0} [{100 * d.CiLow:+0.0;-0.0}, {100 * d.CiHigh:+0.0;-0.0}]");
}

public sealed record RoundPoint(
    [property: JsonPropertyName("round")] int Round,
    [property: JsonPropertyName("mean")] double Mean,
    [property: JsonPropertyName("std")] double Std,
    [property: JsonPropertyName("samples_mean")] double SamplesMean,
    [property: JsonPropertyName("teacher_tokens_mean")] double TeacherTokensMean);

public sealed record PairedDifference(
    [property: JsonPropertyName("mean")] double Mean,
    [property: JsonPropertyName("std")] double Std,
    [property: JsonPropertyName("ci95_low")] double CiLow,
    [property: JsonPropertyName("ci95_high")] double CiHigh,
    [property: JsonPropertyName("per_seed")] IReadOnlyList<double> PerSeed)
{
    public static PairedDifference Of(IReadOnlyList<double> perSeed)
    {
        var (low, high) = Statistics.BootstrapMeanCi(perSeed);
        return new PairedDifference(Statistics.Mean(perSeed), Statistics.Std(perSeed), low, high, perSeed);
    }
}

public sealed record StrategySummary(
    [property: JsonPropertyName("strategy")] string Strategy,
    [property: JsonPropertyName("runs")] int Runs,
    [property: JsonPropertyName("round0_mean")] double Round0Mean,
    [property: JsonPropertyName("final_mean")] double FinalMean,
    [property: JsonPropertyName("final_std")] double FinalStd,
    [property: JsonPropertyName("auc_mean")] double AucMean,
    [property: JsonPropertyName("auc_std")] double AucStd,
    [property: JsonPropertyName("delta_final_vs_baseline")] PairedDifference? DeltaFinal,
    [property: JsonPropertyName("delta_auc_vs_baseline")] PairedDifference? DeltaAuc,
    [property: JsonPropertyName("wins_auc_vs_baseline")] int Wins,
    [property: JsonPropertyName("samples_mean")] double SamplesMean,
    [property: JsonPropertyName("teacher_tokens_mean")] double TeacherTokensMean,
    [property: JsonPropertyName("picks_already_correct_share"), JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)] double AlreadyCorrectShare,
    [property: JsonPropertyName("pick_share_by_family")] IReadOnlyDictionary<string, double> PickShareByFamily,
    [property: JsonPropertyName("pick_share_by_difficulty")] IReadOnlyDictionary<int, double> PickShareByDifficulty,
    [property: JsonPropertyName("drops")] int Drops,
    [property: JsonPropertyName("wall_seconds_mean")] double WallSecondsMean,
    [property: JsonPropertyName("accuracy_by_round")] IReadOnlyList<RoundPoint> AccuracyByRound,
    [property: JsonPropertyName("final_by_seed")] IReadOnlyList<double> FinalBySeed)
{
    public static StrategySummary Build(string strategy, IReadOnlyList<(long Seed, LoopState Run)> runs, IReadOnlyDictionary<long, LoopState> baseline)
    {
        var finals = runs.Select(r => r.Run.Curve[^1].Accuracy).ToList();
        var aucs = runs.Select(r => Statistics.Auc([.. r.Run.Curve.Select(p => p.Accuracy)])).ToList();
        var paired = runs.Where(r => baseline.ContainsKey(r.Seed)).ToList();
        var deltaFinal = paired.Select(r => r.Run.Curve[^1].Accuracy - baseline[r.Seed].Curve[^1].Accuracy).ToList();
        var deltaAuc = paired.Select(r => Statistics.Auc([.. r.Run.Curve.Select(p => p.Accuracy)]) - Statistics.Auc([.. baseline[r.Seed].Curve.Select(p => p.Accuracy)])).ToList();
        var selections = runs.SelectMany(r => r.Run.Selections).ToList();
        var picks = Math.Max(1, selections.Sum(s => s.Picks));
        var rounds = runs.Max(r => r.Run.Curve.Count);
        var byRound = Enumerable.Range(0, rounds).Select(round =>
        {
            var points = runs.Select(r => r.Run.Curve.FirstOrDefault(p => p.Round == round)).OfType<CurvePoint>().ToList();
            var accuracy = points.Select(p => p.Accuracy).ToList();
            return new RoundPoint(round, Statistics.Mean(accuracy), Statistics.Std(accuracy),
                points.Average(p => (double)p.Samples), points.Average(p => (double)p.TeacherTokens));
        }).ToList();
        return new StrategySummary(
            strategy,
            runs.Count,
            Statistics.Mean([.. runs.Select(r => r.Run.Curve[0].Accuracy)]),
            Statistics.Mean(finals),
            Statistics.Std(finals),
            Statistics.Mean(aucs),
            Statistics.Std(aucs),
            paired.Count > 0 ? PairedDifference.Of(deltaFinal) : null,
            paired.Count > 0 ? PairedDifference.Of(deltaAuc) : null,
            deltaAuc.Count(d => d > 0),
            runs.Average(r => (double)r.Run.Spent.Samples),
            runs.Average(r => (double)r.Run.Spent.TeacherTokens),
            // A strategy that reads no signals is not scored, so nothing says whether its picks were already correct.
            StrategyRegistry.Contains(strategy) && StrategyRegistry.Describe(strategy).Needs == SignalNeeds.None
                ? double.NaN
                : selections.Sum(s => s.AlreadyCorrect) / (double)picks,
            selections.SelectMany(s => s.ByFamily).GroupBy(kv => kv.Key).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value) / (double)picks),
            selections.SelectMany(s => s.ByDifficulty).GroupBy(kv => kv.Key).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value) / (double)picks),
            runs.Sum(r => r.Run.Drops.Count),
            runs.Average(r => r.Run.Elapsed.TotalSeconds),
            byRound,
            finals);
    }
}
