using System.Globalization;
using System.Text;
using ActiveSynth.Cli.Compare;

namespace ActiveSynth.Cli.PaperTable;

/// <summary>The paper table as Markdown: the claims first, then one table per benchmark and mode, the ranks, and where the picks went.</summary>
public static class PaperTableMarkdown
{
    public static string Render(PaperTableReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"# Paper table: {report.Ranks.Count} strategies × {report.Seeds.Count} paired seeds × {report.Modes.Count} generation modes × {report.Benchmarks.Count} benchmarks");
        md.AppendLine();
        md.AppendLine(string.Join(" ", report.Claims.Select(c => c.Text)));
        md.AppendLine();
        md.AppendLine(string.Join(", ", report.Config.Select(kv => $"{kv.Key} = {kv.Value}")));
        md.AppendLine();
        md.AppendLine("Benchmarks: " + string.Join("; ", report.Benchmarks.Select(b => $"`{b.Key}` ({b.Value})")) + ".");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"Accuracy is exact match on the held-out set, in points (%). Final = after the last round; AUC (normalised) = the area under accuracy over training rounds 1..R divided by R, i.e. the mean accuracy over those rounds (every round trains the same steps, `static` included, so R is the training budget). Δ = paired difference to `{report.Baseline}` (same seed: same pool, test set and base), mean with a 95 % bootstrap interval over seeds; wins = seeds where Δ > 0. Rank = by mean final accuracy within the benchmark and mode (1 = best). Tokens and seconds are per run (mean; max tokens in brackets).");
        foreach (var setting in report.Settings)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"## {setting}");
            md.AppendLine();
            md.AppendLine("| rank | strategy | final | AUC | Δ final [95 % CI] | wins | Δ AUC [95 % CI] | wins | samples | teacher tokens [max] | wall s |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var c in report.Cells.Where(c => c.Setting == setting).OrderBy(c => c.Rank))
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {c.Rank} | `{c.Strategy}` | {Pct(c.FinalMean)} ± {Pct(c.FinalStd)} | {Pct(c.AucMean)} ± {Pct(c.AucStd)} | {Delta(c.DeltaFinal)} | {Wins(c.DeltaFinal, c.WinsFinal)} | {Delta(c.DeltaAuc)} | {Wins(c.DeltaAuc, c.WinsAuc)} | {c.SamplesMean:0} | {c.TeacherTokensMean:N0} [{c.TeacherTokensMax:N0}] | {c.WallSecondsMean:0} |");
            }
        }
        md.AppendLine();
        md.AppendLine("## Rank of each strategy");
        md.AppendLine();
        md.AppendLine("| strategy | " + string.Join(" | ", report.Settings) + " | mean rank |");
        md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", report.Settings.Count + 1)));
        foreach (var r in report.Ranks)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| `{r.Strategy}` | {string.Join(" | ", report.Settings.Select(s => r.RankBySetting.TryGetValue(s, out var rank) ? rank.ToString(CultureInfo.InvariantCulture) : "–"))} | {r.MeanRank:0.0} |");
        }
        md.AppendLine();
        md.AppendLine("## Where the picks went (share of picks per family, all rounds and seeds)");
        md.AppendLine();
        foreach (var setting in report.Settings)
        {
            md.AppendLine($"- {setting}: " + string.Join("; ", report.Cells.Where(c => c.Setting == setting).OrderBy(c => c.Rank)
                .Select(c => $"`{c.Strategy}` " + (c.PickShareByFamily.Count == 0 ? "–" : string.Join(", ", c.PickShareByFamily.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {100 * kv.Value:0} %")))))));
        }
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"{report.Runs.Count} runs; teacher tokens per run {report.Runs.Min(r => r.TeacherTokens):N0} to {report.Runs.Max(r => r.TeacherTokens):N0}; wall seconds per run {report.Runs.Min(r => r.WallSeconds):0} to {report.Runs.Max(r => r.WallSeconds):0} (sum {report.Runs.Sum(r => r.WallSeconds):0}).");
        return md.ToString();
    }

    private static string Pct(double value) => double.IsNaN(value) ? "–" : (100 * value).ToString("0.0", CultureInfo.InvariantCulture);

    private static string Wins(PairedDifference? d, int wins) => d is null ? "–" : $"{wins}/{d.PerSeed.Count}";

    private static string Delta(PairedDifference? d) => d is null ? "–" : Interval(d);

    /// <summary>A paired difference in points with its interval: <c>+1.5 [+0.2, +2.9]</c>.</summary>
    internal static string Interval(PairedDifference d) => $"{SignedPoints(d.Mean)} [{SignedPoints(d.CiLow)}, {SignedPoints(d.CiHigh)}]";

    /// <summary>
    /// A fraction as signed points with one decimal; what rounds to zero is <c>+0.0</c> (the format's negative section alone
    /// writes a small negative value as "-+0.0").
    /// </summary>
    internal static string SignedPoints(double fraction)
    {
        var points = Math.Round(100 * fraction, 1, MidpointRounding.AwayFromZero);
        return (points == 0 ? 0 : points).ToString("+0.0;-0.0", CultureInfo.InvariantCulture);
    }
}
