using ScottPlot;

namespace ActiveSynth.Cli.PaperTable;

/// <summary>
/// The paper table at a glance: for each strategy, the paired difference of final accuracy to the baseline in each benchmark and
/// mode (one colour each), as bars with their 95 % bootstrap intervals; strategies ordered by mean rank.
/// </summary>
public static class PaperTablePlot
{
    public const int Width = 1400;
    public const int Height = 650;

    public static void Write(PaperTableReport report, string path)
    {
        ArgumentNullException.ThrowIfNull(report);
        var plot = new Plot();
        var settings = report.Settings;
        var strategies = report.Ranks.Select(r => r.Strategy).Where(s => s != report.Baseline).ToList();
        var width = 0.8 / Math.Max(1, settings.Count);
        var intervals = new List<(double X, double Low, double High)>();
        for (var k = 0; k < settings.Count; k++)
        {
            var color = plot.Add.Palette.GetColor(k);
            var bars = new List<Bar>();
            for (var i = 0; i < strategies.Count; i++)
            {
                if (report.Cell(settings[k], strategies[i])?.DeltaFinal is not { } delta)
                {
                    continue;
                }
                var x = i - 0.4 + (k + 0.5) * width;
                bars.Add(new Bar { Position = x, Value = 100 * delta.Mean, FillColor = color, Size = width * 0.9 });
                intervals.Add((x, 100 * delta.CiLow, 100 * delta.CiHigh));
            }
            plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = settings[k], FillColor = color });
        }
        foreach (var (x, low, high) in intervals)
        {
            var interval = plot.Add.Line(x, low, x, high); // drawn over the bars
            interval.Color = Colors.Black;
            interval.LineWidth = 1.5f;
        }
        var zero = plot.Add.HorizontalLine(0);
        zero.Color = Colors.Gray;
        zero.LineWidth = 1;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, strategies.Count).Select(i => (double)i)], [.. strategies]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 90;
        plot.ShowLegend(Alignment.UpperRight);
        plot.Title($"Final accuracy minus {report.Baseline} (paired, {report.Seeds.Count} seed{(report.Seeds.Count == 1 ? "" : "s")}; whiskers = 95 % bootstrap interval), equal teacher-token budget");
        plot.YLabel($"Δ final accuracy vs {report.Baseline} (points)");
        plot.Axes.SetLimitsX(-0.6, strategies.Count - 0.4);
        plot.SavePng(path, Width, Height);
    }
}
