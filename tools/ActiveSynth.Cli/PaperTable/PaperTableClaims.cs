using System.Globalization;
using ActiveSynth.Cli.Compare;

namespace ActiveSynth.Cli.PaperTable;

/// <summary>
/// The seed paper's claims, tested on a table's figures (nothing here is written by hand: every verdict and number comes from
/// the runs). 1: closed-loop generation guided by the student beats static generation at equal budget (<c>loss-high</c> −
/// <c>static</c>, paired final accuracy). 2: the simple uncertainty criterion (<c>loss-high</c>) beats the LLM-specific criteria
/// (<c>incorrect</c>, <c>judge-hard</c>, <c>lion</c>, <c>reward-low</c>) and the complex ones (<c>badge</c>, <c>coreset</c>). 3: the ranking
/// carries over between benchmarks. A claim holds in a setting when the 95 % bootstrap interval of the paired difference is
/// above 0; it is reported as not tested when the strategies it needs did not run. A setting where the student did not learn
/// (no strategy's mean final accuracy <see cref="MinLearning"/> above the base's) says nothing about the strategies: it is named
/// in a fourth statement and left out of the verdicts.
/// </summary>
public static class PaperTableClaims
{
    public const string Simple = "loss-high";
    public const string Static = "static";

    public static IReadOnlyList<string> LlmSpecific { get; } = ["incorrect", "judge-hard", "lion", "reward-low"];

    public static IReadOnlyList<string> Complex { get; } = ["badge", "coreset"];

    public static IReadOnlyList<PaperClaim> Test(PaperTableReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var flat = FlatSettings(report);
        IReadOnlyList<PaperClaim> claims = [ClosedLoopBeatsStatic(report, flat), SimpleBeatsTheRest(report, flat), RankingCarriesOver(report, flat),
            StudentLearned(report, flat)];
        if (report.Seeds.Count >= MinSeedsForAVerdict)
        {
            return claims;
        }
        // One or two seeds: an interval over them is a single value or two; the figures show what ran, not what holds.
        var caveat = $"With {report.Seeds.Count} paired seed{(report.Seeds.Count == 1 ? "" : "s")} the intervals below are no intervals, so none of these verdicts means anything yet (a verdict needs at least {MinSeedsForAVerdict} seeds); the figures show what ran. ";
        return [.. claims.Select((c, i) => c with { Verdict = c.Verdict == "not tested" ? c.Verdict : $"indicative ({c.Verdict})", Text = i == 0 ? caveat + c.Text : c.Text })];
    }

    /// <summary>Seeds below which the claims are reported as indicative only.</summary>
    public const int MinSeedsForAVerdict = 3;

    /// <summary>How far (a fraction: 5 points) above the base the best strategy of a setting must end for the setting to count.</summary>
    public const double MinLearning = 0.05;

    /// <summary>Settings whose best strategy ended less than <see cref="MinLearning"/> above the base (round 0) accuracy.</summary>
    public static IReadOnlyList<string> FlatSettings(PaperTableReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return [.. report.Settings.Where(s => report.Cells.Where(c => c.Setting == s).Max(c => c.FinalMean) - BaseAccuracy(report, s) < MinLearning)];
    }

    private static double BaseAccuracy(PaperTableReport report, string setting) =>
        report.Runs.Where(r => $"{r.Benchmark}/{r.Mode}" == setting && r.AccuracyByRound.Count > 0).Select(r => r.AccuracyByRound[0]).DefaultIfEmpty(0).Average();

    private static PaperClaim StudentLearned(PaperTableReport report, IReadOnlyList<string> flat)
    {
        const string id = "student-learned";
        string Figures(string s) => string.Create(CultureInfo.InvariantCulture,
            $"{s} (base {100 * BaseAccuracy(report, s):0.0} %, best `{report.Cells.Where(c => c.Setting == s).OrderBy(c => c.Rank).First().Strategy}` {100 * report.Cells.Where(c => c.Setting == s).Max(c => c.FinalMean):0.0} %)");
        if (flat.Count == 0)
        {
            return new(id, "holds", $"The student learned in every setting at this budget (best mean final at least {100 * MinLearning:0} points above the base): {Join(report.Settings.Select(Figures))}.");
        }
        return new(id, flat.Count == report.Settings.Count ? "does not hold" : "partly",
            $"The student did not learn in {flat.Count} of {report.Settings.Count} settings at this budget (no strategy's mean final {100 * MinLearning:0} points above the base): "
            + $"{Join(flat.Select(Figures))}; their differences are noise, so they are left out of the verdicts above.");
    }

    private static PaperClaim ClosedLoopBeatsStatic(PaperTableReport report, IReadOnlyList<string> flat)
    {
        const string id = "closed-loop-beats-static";
        var settings = report.Settings.Where(s => !flat.Contains(s) && report.Cell(s, Simple) is not null && report.Cell(s, Static) is not null).ToList();
        if (settings.Count == 0)
        {
            return new(id, "not tested", $"Claim 1 (closed-loop generation beats static generation at equal budget) is not tested here: `{Simple}` and `{Static}` did not both run"
                + (flat.Count > 0 ? " in a setting where the student learned." : "."));
        }
        var figures = settings.Select(s => (Setting: s, Delta: report.FinalDifference(s, Simple, Static)!)).ToList();
        var holds = figures.Count(f => f.Delta.CiLow > 0);
        var against = figures.Count(f => f.Delta.CiHigh < 0);
        var verdict = Verdict(holds, against, figures.Count);
        var random = settings.Select(s => report.FinalDifference(s, report.Baseline, Static)).OfType<PairedDifference>().ToList();
        var text = $"Claim 1, closed-loop generation beats static generation at equal teacher budget: {Phrase(verdict, holds, figures.Count)} "
            + $"(`{Simple}` − `{Static}`, final accuracy, paired over seeds: {Join(figures.Select(f => $"{f.Setting} {Points(f.Delta)}"))})";
        text += report.Cell(settings[0], report.Baseline) is not null && random.Count == settings.Count
            ? $"; `{report.Baseline}`, the closed loop without a criterion, − `{Static}`: {Join(settings.Zip(random, (s, d) => $"{s} {Points(d)}"))}."
            : ".";
        return new(id, verdict, text);
    }

    private static PaperClaim SimpleBeatsTheRest(PaperTableReport report, IReadOnlyList<string> flat)
    {
        const string id = "simple-beats-llm-specific-and-complex";
        var rivals = LlmSpecific.Concat(Complex).Where(r => report.Cells.Any(c => c.Strategy == r)).ToList();
        var settings = report.Settings.Where(s => !flat.Contains(s) && report.Cell(s, Simple) is not null && rivals.Any(r => report.Cell(s, r) is not null)).ToList();
        if (settings.Count == 0)
        {
            return new(id, "not tested", $"Claim 2 (the simple criterion `{Simple}` beats LLM-specific ({string.Join(", ", LlmSpecific)}) and complex ({string.Join(", ", Complex)}) criteria) is not tested here: "
                + (!report.Cells.Any(c => c.Strategy == Simple) ? $"`{Simple}` did not run." : rivals.Count == 0 ? "none of those ran." : "the student learned in no setting where they ran."));
        }
        var pairs = settings.SelectMany(s => rivals.Where(r => report.Cell(s, r) is not null).Select(r => (Setting: s, Rival: r, Delta: report.FinalDifference(s, Simple, r)!))).ToList();
        var aheadOfAll = settings.Count(s => pairs.Where(p => p.Setting == s).All(p => p.Delta.Mean > 0));
        var clearly = pairs.Count(p => p.Delta.CiLow > 0);
        var behind = pairs.Where(p => p.Delta.Mean <= 0).ToList();
        var verdict = aheadOfAll == settings.Count ? "holds" : aheadOfAll > 0 ? "partly" : "does not hold";
        var ranks = settings.Select(s => $"{s} {report.Cell(s, Simple)!.Rank} of {report.Cells.Count(c => c.Setting == s)}");
        var best = settings.Select(s => $"{s} `{report.Cells.Where(c => c.Setting == s).OrderBy(c => c.Rank).First().Strategy}`");
        var text = $"Claim 2, the simple criterion `{Simple}` beats the LLM-specific and complex ones ({string.Join(", ", rivals.Select(r => $"`{r}`"))}): "
            + $"{(verdict == "holds" ? "holds" : verdict == "partly" ? "holds in part" : "does not hold")}: ahead of all of them (mean paired Δ final > 0) in {aheadOfAll} of {settings.Count} settings, "
            + $"clearly (95 % interval above 0) in {clearly} of {pairs.Count} comparisons; `{Simple}` ranks {Join(ranks)}; best: {Join(best)}";
        text += behind.Count == 0 ? "." : $". Behind or level: {Join(behind.Take(6).Select(b => $"`{b.Rival}` on {b.Setting} ({Points(b.Delta)})"))}{(behind.Count > 6 ? $" and {behind.Count - 6} more" : "")}.";
        return new(id, verdict, text);
    }

    private static PaperClaim RankingCarriesOver(PaperTableReport report, IReadOnlyList<string> flat)
    {
        const string id = "ranking-across-benchmarks";
        var benchmarks = report.Benchmarks.Keys.Where(b => report.Cells.Any(c => c.Benchmark == b)).ToList();
        if (benchmarks.Count < 2)
        {
            return new(id, "not tested", "Whether the ranking carries over between benchmarks is not tested here: one benchmark ran.");
        }
        // Every pair of benchmarks in every mode where the student learned on both; with two benchmarks the text names them once.
        var named = benchmarks.Count > 2;
        var pairs = benchmarks.SelectMany((x, i) => benchmarks.Skip(i + 1).Select(y => (First: x, Second: y))).ToList();
        var parts = new List<string>();
        var correlations = new List<double>();
        foreach (var mode in report.Modes)
        {
            foreach (var (first, second) in pairs.Where(p => !flat.Contains($"{p.First}/{mode}") && !flat.Contains($"{p.Second}/{mode}")))
            {
                var a = report.Cells.Where(c => c.Benchmark == first && c.Mode == mode).ToDictionary(c => c.Strategy);
                var b = report.Cells.Where(c => c.Benchmark == second && c.Mode == mode).ToDictionary(c => c.Strategy);
                var common = a.Keys.Where(b.ContainsKey).ToList();
                if (common.Count < 3)
                {
                    continue;
                }
                var rho = Spearman([.. common.Select(s => a[s].FinalMean)], [.. common.Select(s => b[s].FinalMean)]);
                correlations.Add(rho);
                var moved = common.Select(s => (Strategy: s, From: RankAmong(a, common, s), To: RankAmong(b, common, s)))
                    .Where(m => Math.Abs(m.From - m.To) >= Math.Max(2, common.Count / 4)).OrderByDescending(m => Math.Abs(m.From - m.To)).Take(3)
                    .Select(m => $"`{m.Strategy}` {m.From} → {m.To} (picks on {second}: {Shares(b[m.Strategy])})");
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{(named ? $"{mode}, {first} and {second}" : mode)}: Spearman ρ = {rho:0.00} over {common.Count} strategies")
                    + (moved.Any() ? $", largest moves {first} → {second}: {Join(moved)}" : ""));
            }
        }
        if (correlations.Count == 0)
        {
            return new(id, "not tested", "Whether the ranking carries over between benchmarks is not tested here: "
                + (flat.Count > 0 ? $"in no mode did the student learn on {(named ? "two" : "both")} benchmarks with at least 3 strategies." : "fewer than 3 strategies ran on both."));
        }
        var verdict = correlations.All(r => r >= 0.7) ? "holds" : correlations.Any(r => r >= 0.7) ? "partly" : "does not hold";
        return new(id, verdict, $"The ranking by final accuracy {(verdict == "holds" ? "carries over" : verdict == "partly" ? "carries over in part" : "does not carry over")} "
            + $"between {(named ? "the benchmarks where the student learned" : $"{benchmarks[0]} and {benchmarks[1]}")} (ρ ≥ 0.7 counted as carrying over): {string.Join("; ", parts)}.");
    }

    private static int RankAmong(IReadOnlyDictionary<string, PaperTableSummary> cells, IReadOnlyList<string> common, string strategy) =>
        common.OrderByDescending(s => cells[s].FinalMean).ThenBy(s => s, StringComparer.Ordinal).ToList().IndexOf(strategy) + 1;

    private static string Shares(PaperTableSummary cell) =>
        cell.PickShareByFamily.Count == 0 ? "not recorded" : string.Join(", ", cell.PickShareByFamily.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {100 * kv.Value:0} %")));

    /// <summary>Spearman's rank correlation (average ranks for ties).</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var rx = Ranks(x);
        var ry = Ranks(y);
        var mx = rx.Average();
        var my = ry.Average();
        var cov = rx.Zip(ry, (a, b) => (a - mx) * (b - my)).Sum();
        var sx = Math.Sqrt(rx.Sum(a => (a - mx) * (a - mx)));
        var sy = Math.Sqrt(ry.Sum(b => (b - my) * (b - my)));
        return sx == 0 || sy == 0 ? 0 : cov / (sx * sy);
    }

    private static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = values.Select((v, i) => (v, i)).OrderBy(p => p.v).ToList();
        var ranks = new double[values.Count];
        for (var start = 0; start < order.Count;)
        {
            var end = start;
            while (end + 1 < order.Count && order[end + 1].v == order[start].v)
            {
                end++;
            }
            for (var k = start; k <= end; k++)
            {
                ranks[order[k].i] = (start + end) / 2.0 + 1;
            }
            start = end + 1;
        }
        return ranks;
    }

    private static string Verdict(int holds, int against, int total) =>
        holds == total ? "holds" : holds > 0 ? "partly" : against > 0 ? "reversed" : "does not hold";

    private static string Phrase(string verdict, int holds, int total) => verdict switch
    {
        "holds" => total == 1 ? "holds in the one setting" : $"holds in all {total} settings",
        "partly" => $"holds in {holds} of {total} settings",
        "reversed" => "does not hold: static generation is ahead",
        _ => "does not hold (no setting where the interval is above 0)",
    };

    private static string Points(PairedDifference d) => $"{PaperTableMarkdown.Interval(d)} points";

    private static string Join(IEnumerable<string> parts) => string.Join(", ", parts);
}
