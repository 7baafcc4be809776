using ActiveSynth.Core.Budgets;
using ActiveSynth.Core.Datasets;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Reports;

namespace ActiveSynth.Reports.Tests;

public sealed class ReportBuildingTests
{
    private static ReportInput Input()
    {
        var state = new LoopState { RunId = "r1", Seeds = [new TaskItem("s1", "copy", 2, "copy ab", "a b\n#### ab")] };
        state.Status = RunStatus.Completed;
        state.StopReason = "samples";
        state.Curve.Add(new CurvePoint(0, 0, 0, 0, 0.25, new Dictionary<string, double> { ["copy"] = 0.25 }, double.NaN));
        state.Curve.Add(new CurvePoint(1, 2, 400, 0, 0.50, new Dictionary<string, double> { ["copy"] = 0.5 }, 0.9));
        state.Curve.Add(new CurvePoint(2, 4, 800, 0, 0.75, new Dictionary<string, double> { ["copy"] = 0.75 }, 0.7));
        for (var round = 1; round <= 2; round++)
        {
            state.Selections.Add(new RoundSelection(round, 3, new Dictionary<string, int> { ["copy"] = 3 }, new Dictionary<int, int> { [2] = 3 }, 1, 1.5));
            state.Samples.Add(new KeptSample(new TaskItem($"x{round}a", "copy", 2, $"copy q{round}a", "q\n#### q"), round, "s1", "loss-high", 1.5, ["call1", "call2"]));
            state.Samples.Add(new KeptSample(new TaskItem($"x{round}b", "copy", 2, $"copy q{round}b", "q\n#### q"), round, "s1", "loss-high", 1.4, ["call3"]));
            state.Drops.Add(new DropRecord(round, "s1", "DROP_REASON_EMPTY", "empty"));
        }
        state.Spent = new BudgetAmount(4, 12, 800, 0);
        state.Elapsed = TimeSpan.FromSeconds(90);
        return new ReportInput
        {
            State = state,
            SpecJson = """{"name":"t","samplesPerRound":2}""",
            Name = "t",
            Strategy = "loss-high",
            StageTimes = [new StageTime(1, "SCORE", 2), new StageTime(1, "TRAIN", 10), new StageTime(2, "SCORE", 3), new StageTime(2, "EVALUATE", 1)],
            CheckpointIds = new Dictionary<int, string> { [0] = "base-x", [1] = "r1-r1", [2] = "r1-r2" },
        };
    }

    [Fact]
    public void The_report_has_a_curve_point_per_round_and_a_summary_per_round()
    {
        var report = RunReportBuilder.Build(Input());

        Assert.Equal([0, 1, 2], report.LearningCurve.Select(p => p.Round));
        Assert.Null(report.LearningCurve[0].TrainLoss);
        Assert.Equal([1, 2], report.Rounds.Select(r => r.Round));
        Assert.All(report.Rounds, r => Assert.Equal((3, 2, 1), (r.Picks, r.Kept, r.Dropped)));
        Assert.Equal(2, report.DropsByReason["DROP_REASON_EMPTY"]);
        Assert.Equal(5, report.StageSeconds["SCORE"]);
        Assert.Equal(0.5, report.AccuracyGain!.Value, 6);
        Assert.Equal(0.5, report.NormalisedAuc!.Value, 6); // trapezoids over 0..4 samples: (0.25+0.5)/2, (0.5+0.75)/2 → mean 0.5
        Assert.Equal(800, report.Usage.TeacherTokens);
        Assert.Equal("t", report.Spec.GetProperty("name").GetString());
        Assert.Equal("r1-r2", report.LearningCurve[2].CheckpointId);
    }

    [Fact]
    public void Json_round_trips_and_markdown_shows_the_curve()
    {
        var report = RunReportBuilder.Build(Input());

        var back = RunReportJson.Deserialize(RunReportJson.Serialize(report));
        var markdown = MarkdownReport.Render(report, [LearningCurvePlots.SamplesFile]);

        Assert.Equal(report.LearningCurve.Count, back.LearningCurve.Count);
        Assert.Contains("| 2 | 4 | 800 |", markdown, StringComparison.Ordinal);
        Assert.Contains("DROP_REASON_EMPTY: 2", markdown, StringComparison.Ordinal);
        Assert.Contains("![accuracy_vs_samples.png](accuracy_vs_samples.png)", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Plots_are_png_images()
    {
        var report = RunReportBuilder.Build(Input());

        foreach (var png in new[] { LearningCurvePlots.AccuracyVsSamples(report), LearningCurvePlots.AccuracyVsTeacherTokens(report) })
        {
            Assert.True(png.Length > 1000, $"only {png.Length} bytes");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        }
    }

    [Fact]
    public void The_dataset_is_gsm8k_jsonl_and_lineage_names_the_checkpoints_that_trained_each_sample()
    {
        var input = Input();
        using var dataset = new MemoryStream();
        using var lineage = new MemoryStream();

        DatasetExport.WriteDataset(input.State, dataset);
        DatasetExport.WriteLineage(input, lineage);

        dataset.Position = 0;
        var items = Gsm8kJsonl.Import(dataset);
        Assert.Equal(["x1a", "x1b", "x2a", "x2b"], items.Select(i => i.Id));
        var lines = System.Text.Encoding.UTF8.GetString(lineage.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Contains("\"trained_checkpoint_ids\":[\"r1-r1\",\"r1-r2\"]", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"trained_checkpoint_ids\":[\"r1-r2\"]", lines[3], StringComparison.Ordinal);
    }
}
