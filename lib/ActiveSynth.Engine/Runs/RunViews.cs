using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Budgets;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using Google.Protobuf.WellKnownTypes;

namespace ActiveSynth.Engine.Runs;

/// <summary>A stored run as the contract's Run message (and its parts: usage, curve points, round summaries).</summary>
public static class RunViews
{
    public static Run ToContract(this StoredRun run, RunView view)
    {
        ArgumentNullException.ThrowIfNull(run);
        var (state, meta) = (run.State, run.Meta);
        var result = new Run
        {
            Id = run.Id,
            Spec = run.Spec,
            State = state.Status.ToContract(),
            Round = state.Round,
            Stage = state.Status == RunStatus.Running ? state.Stage.ToContract() : RunStage.Unspecified,
            Usage = Usage(state, run.Spec.Budget),
            FailureReason = state.FailureReason ?? "",
            CreatedAt = Timestamp.FromDateTimeOffset(meta.CreatedAt),
            UpdatedAt = Timestamp.FromDateTimeOffset(meta.UpdatedAt == default ? meta.CreatedAt : meta.UpdatedAt),
            StopReason = state.StopReason is null ? "" : state.Status == RunStatus.Cancelled && meta.CancelReason is { } reason
                ? $"cancelled: {reason}" : state.StopReason,
        };
        if (meta.FinishedAt is { } finished)
        {
            result.FinishedAt = Timestamp.FromDateTimeOffset(finished);
        }
        foreach (var group in state.Drops.GroupBy(d => d.Reason, StringComparer.Ordinal))
        {
            result.DropsByReason[group.Key] = group.Count();
        }
        if (meta.Report is { } report)
        {
            result.Report = report.Json.ToContract();
            result.ReportMarkdown = report.Markdown.ToContract();
            result.Dataset = report.Dataset.ToContract();
            result.Plots.AddRange(report.Plots.Select(p => p.ToContract()));
        }
        if (view == RunView.Basic)
        {
            return result;
        }
        result.Curve.AddRange(state.Curve.Select(p => p.ToContract(meta, state.Curve.Count > 0 ? TestItems(meta) : 0)));
        result.Checkpoints.AddRange(meta.Checkpoints.OrderBy(c => c.Key).Select(c => new CheckpointRef
        {
            Id = c.Value.Id, Path = c.Value.Path, Sha256 = c.Value.Sha256, Round = c.Key, IsBase = c.Key == 0, RunId = c.Key == 0 ? "" : run.Id,
        }));
        result.Rounds.AddRange(Rounds(run));
        return result;
    }

    /// <summary>What a RunFinished event says of a run shown as <paramref name="view"/> (its final curve point aside).</summary>
    public static RunFinished ToRunFinished(this Run view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new RunFinished
        {
            State = view.State,
            StopReason = view.StopReason,
            FailureReason = view.FailureReason,
            Usage = view.Usage,
            Report = view.Report,
        };
    }

    public static BudgetUsage Usage(LoopState state, Budget? budget)
    {
        ArgumentNullException.ThrowIfNull(state);
        var limits = budget is null ? BudgetLimits.Unlimited
            : new BudgetLimits(budget.MaxSamples, budget.MaxTeacherCalls, budget.MaxTeacherTokens, budget.MaxCostUsd);
        var exhaustedBy = limits.FirstReached(state.Spent)
            ?? (budget?.MaxWallTime is { } wall && wall.ToTimeSpan() > TimeSpan.Zero && state.Elapsed >= wall.ToTimeSpan() ? "wall_time" : null);
        return new BudgetUsage
        {
            SamplesKept = state.Spent.Samples,
            SamplesDropped = state.Drops.Count,
            TeacherCalls = state.Spent.TeacherCalls,
            TeacherTokens = state.Spent.TeacherTokens,
            CostUsd = state.Spent.CostUsd,
            BilledTeacherCalls = state.Billed.TeacherCalls,
            BilledTeacherTokens = state.Billed.TeacherTokens,
            BilledCostUsd = state.Billed.CostUsd,
            CacheHits = state.Billed.CacheHits,
            WallTime = Duration.FromTimeSpan(state.Elapsed),
            Exhausted = exhaustedBy is not null,
            ExhaustedBy = exhaustedBy ?? "",
        };
    }

    public static LearningCurvePoint ToContract(this CurvePoint point, RunMeta meta, int testItems)
    {
        ArgumentNullException.ThrowIfNull(point);
        ArgumentNullException.ThrowIfNull(meta);
        var result = new LearningCurvePoint
        {
            Round = point.Round,
            SamplesSoFar = point.Samples,
            TeacherTokensSoFar = point.TeacherTokens,
            CostUsdSoFar = point.CostUsd,
            Accuracy = point.Accuracy,
            TeacherCallsSoFar = meta.TeacherCallsAt.GetValueOrDefault(point.Round),
            CheckpointId = meta.Checkpoints.TryGetValue(point.Round, out var checkpoint) ? checkpoint.Id : "",
            Elapsed = Duration.FromTimeSpan(TimeSpan.FromSeconds(meta.ElapsedAt.GetValueOrDefault(point.Round))),
            TestItems = testItems,
        };
        foreach (var (family, accuracy) in point.AccuracyByFamily)
        {
            result.FamilyAccuracy[family] = accuracy;
        }
        if (double.IsFinite(point.TrainLoss))
        {
            result.TrainLoss = point.TrainLoss;
        }
        return result;
    }

    private static int TestItems(RunMeta meta) => meta.TestItems;

    private static IEnumerable<RoundSummary> Rounds(StoredRun run)
    {
        var (state, meta) = (run.State, run.Meta);
        var rounds = state.Selections.Select(s => s.Round).Concat(state.Curve.Where(p => p.Round > 0).Select(p => p.Round)).Distinct().Order();
        foreach (var round in rounds)
        {
            var selection = state.Selections.LastOrDefault(s => s.Round == round);
            var drops = state.Drops.Where(d => d.Round == round).ToList();
            var summary = new RoundSummary
            {
                Round = round,
                Selected = selection?.Picks ?? 0,
                Kept = state.Samples.Count(s => s.Round == round),
                Dropped = drops.Count,
                MeanStrategyScore = selection?.MeanScore ?? 0,
                PicksAlreadyCorrect = selection?.AlreadyCorrect ?? 0,
                MinStrategyScore = state.Samples.Where(s => s.Round == round).Select(s => s.StrategyScore).DefaultIfEmpty().Min(),
                MaxStrategyScore = state.Samples.Where(s => s.Round == round).Select(s => s.StrategyScore).DefaultIfEmpty().Max(),
                CheckpointId = meta.Checkpoints.TryGetValue(round, out var checkpoint) ? checkpoint.Id : "",
            };
            foreach (var group in drops.GroupBy(d => d.Reason, StringComparer.Ordinal))
            {
                summary.DropsByReason[group.Key] = group.Count();
            }
            foreach (var (family, count) in selection?.ByFamily ?? new Dictionary<string, int>())
            {
                summary.PicksByFamily[family] = count;
            }
            summary.Stages.AddRange(meta.StageTimes.Where(t => t.Round == round).Select(t => new StageTiming
            {
                Round = round,
                Stage = System.Enum.TryParse<RunStage>(t.Stage, ignoreCase: true, out var stage) ? stage : RunStage.Unspecified,
                Duration = Duration.FromTimeSpan(TimeSpan.FromSeconds(t.Seconds)),
            }));
            if (state.Curve.LastOrDefault(p => p.Round == round) is { } point)
            {
                summary.Point = point.ToContract(meta, meta.TestItems);
            }
            if (meta.RoundStartedAt.TryGetValue(round, out var started))
            {
                summary.StartedAt = Timestamp.FromDateTimeOffset(started);
            }
            if (meta.RoundFinishedAt.TryGetValue(round, out var finished))
            {
                summary.FinishedAt = Timestamp.FromDateTimeOffset(finished);
            }
            yield return summary;
        }
    }
}
