using System.Text.Json;

namespace ActiveSynth.Reports;

/// <summary>The report of one run (report.json): spec, budget usage, learning curve, per-round selection, drops, stage times.</summary>
public sealed record RunReport
{
    public required string RunId { get; init; }

    public string Name { get; init; } = "";

    public string Strategy { get; init; } = "";

    public required string Status { get; init; }

    public string? StopReason { get; init; }

    public string? FailureReason { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public double ElapsedSeconds { get; init; }

    public JsonElement Spec { get; init; }

    public required BudgetUsageReport Usage { get; init; }

    public IReadOnlyList<CurvePointReport> LearningCurve { get; init; } = [];

    public IReadOnlyList<RoundReport> Rounds { get; init; } = [];

    public IReadOnlyDictionary<string, int> DropsByReason { get; init; } = new Dictionary<string, int>();

    /// <summary>Seconds per stage over the whole run.</summary>
    public IReadOnlyDictionary<string, double> StageSeconds { get; init; } = new Dictionary<string, double>();

    /// <summary>Final accuracy minus round-0 accuracy (null without both points).</summary>
    public double? AccuracyGain { get; init; }

    /// <summary>Area under accuracy-vs-samples, normalised by the sample range (mean accuracy over the curve).</summary>
    public double? NormalisedAuc { get; init; }
}

/// <summary>
/// What the run used. Teacher calls, tokens and cost are what its work cost, which the budget counts (a reply served from the
/// response cache costs the usage it was made with); the billed figures are what the endpoint was paid in this run.
/// </summary>
public sealed record BudgetUsageReport(long SamplesKept, long SamplesDropped, long TeacherCalls, long TeacherTokens, double CostUsd, double WallSeconds,
    long BilledTeacherCalls = 0, long BilledTeacherTokens = 0, double BilledCostUsd = 0, long CacheHits = 0);

public sealed record CurvePointReport(int Round, long Samples, long TeacherTokens, double CostUsd, double Accuracy,
    IReadOnlyDictionary<string, double> AccuracyByFamily, double? TrainLoss, string CheckpointId);

public sealed record RoundReport
{
    public required int Round { get; init; }

    public int Picks { get; init; }

    public int Kept { get; init; }

    public int Dropped { get; init; }

    public double MeanStrategyScore { get; init; }

    public int AlreadyCorrect { get; init; }

    public IReadOnlyDictionary<string, int> PicksByFamily { get; init; } = new Dictionary<string, int>();

    public IReadOnlyDictionary<string, int> PicksByDifficulty { get; init; } = new Dictionary<string, int>();

    public IReadOnlyDictionary<string, int> DropsByReason { get; init; } = new Dictionary<string, int>();

    public IReadOnlyDictionary<string, double> StageSeconds { get; init; } = new Dictionary<string, double>();

    public double? Accuracy { get; init; }
}
