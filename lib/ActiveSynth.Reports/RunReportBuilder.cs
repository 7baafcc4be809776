using System.Globalization;
using System.Text.Json;
using ActiveSynth.Core.Loop;

namespace ActiveSynth.Reports;

/// <summary>Builds a <see cref="RunReport"/> from a run's state: pure, no I/O.</summary>
public static class RunReportBuilder
{
    public static RunReport Build(ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var state = input.State;
        var curve = state.Curve.Select(p => new CurvePointReport(p.Round, p.Samples, p.TeacherTokens, p.CostUsd, p.Accuracy,
            p.AccuracyByFamily, double.IsFinite(p.TrainLoss) ? p.TrainLoss : null, CheckpointId(input, p.Round))).ToList();
        var rounds = Rounds(input, curve);
        var stageTotals = input.StageTimes.GroupBy(t => t.Stage, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(t => t.Seconds), StringComparer.Ordinal);
        return new RunReport
        {
            RunId = state.RunId,
            Name = input.Name,
            Strategy = input.Strategy,
            Status = state.Status.ToString(),
            StopReason = state.StopReason,
            FailureReason = state.FailureReason,
            StartedAt = state.StartedAt,
            FinishedAt = input.FinishedAt,
            ElapsedSeconds = state.Elapsed.TotalSeconds,
            Spec = ParseSpec(input.SpecJson),
            Usage = new BudgetUsageReport(state.Spent.Samples, state.Drops.Count, state.Spent.TeacherCalls, state.Spent.TeacherTokens,
                state.Spent.CostUsd, state.Elapsed.TotalSeconds, state.Billed.TeacherCalls, state.Billed.TeacherTokens, state.Billed.CostUsd,
                state.Billed.CacheHits),
            LearningCurve = curve,
            Rounds = rounds,
            DropsByReason = state.Drops.GroupBy(d => d.Reason, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            StageSeconds = stageTotals.Count > 0 ? stageTotals : state.StageSeconds,
            AccuracyGain = curve.Count >= 2 ? curve[^1].Accuracy - curve[0].Accuracy : null,
            NormalisedAuc = Auc(curve),
        };
    }

    /// <summary>Trapezoid area under accuracy over samples divided by the sample range: the curve's mean accuracy.</summary>
    public static double? Auc(IReadOnlyList<CurvePointReport> curve)
    {
        ArgumentNullException.ThrowIfNull(curve);
        if (curve.Count < 2 || curve[^1].Samples <= curve[0].Samples)
        {
            return null;
        }
        var area = 0.0;
        for (var i = 1; i < curve.Count; i++)
        {
            area += (curve[i].Samples - curve[i - 1].Samples) * (curve[i].Accuracy + curve[i - 1].Accuracy) / 2;
        }
        return area / (curve[^1].Samples - curve[0].Samples);
    }

    public static string CheckpointId(ReportInput input, int round)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.CheckpointIds.TryGetValue(round, out var id) ? id : string.Create(CultureInfo.InvariantCulture, $"{input.State.RunId}-r{round}");
    }

    private static List<RoundReport> Rounds(ReportInput input, List<CurvePointReport> curve)
    {
        var state = input.State;
        var numbers = state.Selections.Select(s => s.Round)
            .Concat(curve.Where(p => p.Round > 0).Select(p => p.Round))
            .Concat(input.StageTimes.Select(t => t.Round))
            .Distinct().Order().ToList();
        return [.. numbers.Select(round =>
        {
            var selection = state.Selections.LastOrDefault(s => s.Round == round);
            var drops = state.Drops.Where(d => d.Round == round).ToList();
            return new RoundReport
            {
                Round = round,
                Picks = selection?.Picks ?? 0,
                Kept = state.Samples.Count(s => s.Round == round),
                Dropped = drops.Count,
                MeanStrategyScore = selection?.MeanScore ?? 0,
                AlreadyCorrect = selection?.AlreadyCorrect ?? 0,
                PicksByFamily = selection?.ByFamily ?? new Dictionary<string, int>(),
                PicksByDifficulty = selection?.ByDifficulty.ToDictionary(p => p.Key.ToString(CultureInfo.InvariantCulture), p => p.Value)
                    ?? new Dictionary<string, int>(),
                DropsByReason = drops.GroupBy(d => d.Reason, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
                StageSeconds = input.StageTimes.Where(t => t.Round == round).GroupBy(t => t.Stage, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Sum(t => t.Seconds), StringComparer.Ordinal),
                Accuracy = curve.LastOrDefault(p => p.Round == round)?.Accuracy,
            };
        })];
    }

    private static JsonElement ParseSpec(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            using var empty = JsonDocument.Parse("{}");
            return empty.RootElement.Clone();
        }
    }
}
