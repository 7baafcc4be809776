using ScottPlot;

namespace ActiveSynth.Reports;

/// <summary>PNG learning curves (ScottPlot): accuracy against kept samples and against teacher tokens.</summary>
public static class LearningCurvePlots
{
    public const string SamplesFile = "accuracy_vs_samples.png";

    public const string TokensFile = "accuracy_vs_teacher_tokens.png";

    public static byte[] AccuracyVsSamples(RunReport report, int width = 800, int height = 500) =>
        Render(report, p => p.Samples, "kept samples", width, height);

    public static byte[] AccuracyVsTeacherTokens(RunReport report, int width = 800, int height = 500) =>
        Render(report, p => p.TeacherTokens, "teacher tokens", width, height);

    private static byte[] Render(RunReport report, Func<CurvePointReport, long> x, string xLabel, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(report);
        var plot = new Plot();
        var xs = report.LearningCurve.Select(p => (double)x(p)).ToArray();
        var ys = report.LearningCurve.Select(p => p.Accuracy * 100).ToArray();
        if (xs.Length > 0)
        {
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = string.IsNullOrEmpty(report.Strategy) ? "accuracy" : report.Strategy;
            line.MarkerSize = 7;
            plot.ShowLegend(Alignment.LowerRight);
        }
        plot.Title($"{report.RunId}: accuracy vs {xLabel}");
        plot.XLabel(xLabel);
        plot.YLabel("held-out accuracy (%)");
        plot.Axes.SetLimitsY(0, 100);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
