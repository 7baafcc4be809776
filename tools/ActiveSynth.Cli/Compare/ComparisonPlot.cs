using ScottPlot;

namespace ActiveSynth.Cli.Compare;

/// <summary>Learning curves of a comparison: one line per strategy (mean over seeds) with a ±1 std band, against teacher tokens.</summary>
public static class ComparisonPlot
{
    public const int Width = 1000;
    public const int Height = 600;

    public static void Write(ComparisonReport report, string path)
    {
        var plot = new Plot();
        for (var i = 0; i < report.Strategies.Count; i++)
        {
            var strategy = report.Strategies[i];
            var color = plot.Add.Palette.GetColor(i);
            var xs = strategy.AccuracyByRound.Select(p => p.TeacherTokensMean).ToArray();
            var mean = strategy.AccuracyByRound.Select(p => 100 * p.Mean).ToArray();
            var band = plot.Add.FillY(xs,
                strategy.AccuracyByRound.Select(p => 100 * (p.Mean - p.Std)).ToArray(),
                strategy.AccuracyByRound.Select(p => 100 * (p.Mean + p.Std)).ToArray());
            band.FillColor = color.WithAlpha(0.15);
            band.LineWidth = 0;
            var line = plot.Add.Scatter(xs, mean);
            line.Color = color;
            line.LineWidth = 2;
            line.LegendText = strategy.Strategy;
        }
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Title($"Held-out accuracy vs teacher tokens ({report.Seeds.Count} seeds, band = ±1 std)");
        plot.XLabel("teacher tokens spent");
        plot.YLabel("exact-match accuracy (%)");
        plot.Axes.SetLimitsY(0, 100);
        plot.SavePng(path, Width, Height);
    }
}
