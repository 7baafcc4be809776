using System.Globalization;
using System.Text;

namespace ActiveSynth.Reports;

/// <summary>report.md: the same content as report.json, for people.</summary>
public static class MarkdownReport
{
    public static string Render(RunReport report, IReadOnlyList<string>? plotFiles = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        Line(md, $"# Run {report.RunId}{(report.Name.Length > 0 ? $" ({report.Name})" : "")}");
        md.AppendLine();
        Line(md, $"- status: **{report.Status}**{(report.StopReason is null ? "" : $", stopped by `{report.StopReason}`")}");
        if (!string.IsNullOrEmpty(report.FailureReason))
        {
            Line(md, $"- failure: {report.FailureReason}");
        }
        Line(md, $"- strategy: `{report.Strategy}`");
        Line(md, $"- started: {report.StartedAt:u}, elapsed {report.ElapsedSeconds:0.0} s");
        var u = report.Usage;
        Line(md, $"- budget used: {u.SamplesKept} samples kept, {u.SamplesDropped} dropped, {u.TeacherCalls} teacher calls, {u.TeacherTokens} teacher tokens, ${u.CostUsd:0.0000}");
        Line(md, $"- billed by the teacher endpoint in this run: {u.BilledTeacherCalls} calls, {u.BilledTeacherTokens} tokens, ${u.BilledCostUsd:0.0000} ({u.CacheHits} calls answered by the response cache)");
        if (report.AccuracyGain is { } gain)
        {
            Line(md, $"- accuracy: {report.LearningCurve[0].Accuracy:P1} → {report.LearningCurve[^1].Accuracy:P1} ({gain * 100:+0.0;-0.0} points)");
        }
        if (report.NormalisedAuc is { } auc)
        {
            Line(md, $"- normalised AUC (accuracy over samples): {auc:0.000}");
        }
        md.AppendLine();
        md.AppendLine("## Learning curve").AppendLine();
        md.AppendLine("| round | samples | teacher tokens | cost $ | accuracy | train loss | per family |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---|");
        foreach (var p in report.LearningCurve)
        {
            var families = string.Join(", ", p.AccuracyByFamily.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => Invariant($"{f.Key} {f.Value:P0}")));
            Line(md, $"| {p.Round} | {p.Samples} | {p.TeacherTokens} | {p.CostUsd:0.0000} | {p.Accuracy:P1} | {(p.TrainLoss is { } l ? l.ToString("0.000", CultureInfo.InvariantCulture) : "")} | {families} |");
        }
        md.AppendLine().AppendLine("## Rounds").AppendLine();
        md.AppendLine("| round | picks | kept | dropped | mean score | already correct | picks by family | stage seconds |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---|---|");
        foreach (var r in report.Rounds)
        {
            var families = string.Join(", ", r.PicksByFamily.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => Invariant($"{f.Key} {f.Value}")));
            var stages = string.Join(", ", r.StageSeconds.Select(s => Invariant($"{s.Key.ToLowerInvariant()} {s.Value:0.0}")));
            Line(md, $"| {r.Round} | {r.Picks} | {r.Kept} | {r.Dropped} | {r.MeanStrategyScore:0.000} | {r.AlreadyCorrect} | {families} | {stages} |");
        }
        md.AppendLine().AppendLine("## Drops by reason").AppendLine();
        if (report.DropsByReason.Count == 0)
        {
            md.AppendLine("none");
        }
        foreach (var (reason, count) in report.DropsByReason.OrderByDescending(d => d.Value))
        {
            Line(md, $"- {reason}: {count}");
        }
        md.AppendLine().AppendLine("## Time per stage").AppendLine();
        foreach (var (stage, seconds) in report.StageSeconds)
        {
            Line(md, $"- {stage.ToLowerInvariant()}: {seconds:0.0} s");
        }
        if (plotFiles is { Count: > 0 })
        {
            md.AppendLine().AppendLine("## Plots").AppendLine();
            foreach (var file in plotFiles)
            {
                Line(md, $"![{file}]({file})");
            }
        }
        return md.ToString();
    }

    private static void Line(StringBuilder md, FormattableString text) => md.AppendLine(Invariant(text));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
