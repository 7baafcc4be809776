using ActiveSynth.Core.Budgets;
using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Tasks;

namespace ActiveSynth.Core.Loop;

public enum RunStatus
{
    Pending,
    Running,
    Completed,
    Cancelled,
    Failed,
}

/// <summary>Where a round stands; saved after every stage so a restarted loop resumes from the last durable step.</summary>
public enum LoopStage
{
    Evaluate0,
    Score,
    Select,
    Generate,
    Train,
    RoundDone,
}

/// <summary>
/// Everything the loop needs to continue a run after a restart. Plain data, serialisable as JSON; the loop is
/// its only writer.
/// </summary>
public sealed class LoopState
{
    public required string RunId { get; init; }

    public RunStatus Status { get; set; } = RunStatus.Pending;

    public string? FailureReason { get; set; }

    /// <summary>Why the run ended: the budget dimension reached, max_rounds, cancelled, or an error.</summary>
    public string? StopReason { get; set; }

    public int Round { get; set; }

    /// <summary>
    /// A run whose strategy trains after generation (<c>static</c>): 0 while its rounds are still generating; then the number of
    /// generation rounds, which is also the number of training rounds that follow (<see cref="Round"/> counts them from 1 again).
    /// </summary>
    public int GenerationRounds { get; set; }

    /// <summary>Why such a run's generation ended (a budget dimension, max_rounds): its stop reason once its training rounds are done.</summary>
    public string? GenerationStopReason { get; set; }

    public LoopStage Stage { get; set; } = LoopStage.Evaluate0;

    /// <summary>The latest checkpoint: the base after round 0, then each round's.</summary>
    public CheckpointHandle? Checkpoint { get; set; }

    public required List<TaskItem> Seeds { get; init; }

    /// <summary>This round's picks (seed ids in seed mode, candidate ids in overgenerate mode), in pick order.</summary>
    public List<Pick> Picks { get; set; } = [];

    /// <summary>This round's candidates in overgenerate mode (generated, not yet selected).</summary>
    public List<KeptSample> Candidates { get; set; } = [];

    /// <summary>Generation results of this round by slot: a slot that has one is never asked again.</summary>
    public Dictionary<int, GenerationRecord> Generated { get; set; } = [];

    public List<KeptSample> Samples { get; init; } = [];

    public List<DropRecord> Drops { get; init; } = [];

    public List<CurvePoint> Curve { get; init; } = [];

    public List<RoundSelection> Selections { get; init; } = [];

    public Dictionary<string, double> StageSeconds { get; init; } = [];

    /// <summary>Settled teacher spending plus kept samples: what the run's work cost, cached replies included (what limits count).</summary>
    public BudgetAmount Spent { get; set; }

    /// <summary>What the teacher endpoint was paid in this run, and the calls the response cache answered instead.</summary>
    public TeacherBilling Billed { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public TimeSpan Elapsed { get; set; }
}

/// <summary>A kept sample with its lineage.</summary>
public sealed record KeptSample(TaskItem Item, int Round, string SeedId, string Strategy, double StrategyScore, IReadOnlyList<string> TeacherCallIds);

public sealed record DropRecord(int Round, string SeedId, string Reason, string? Detail);

public sealed record GenerationRecord(KeptSample? Sample, DropRecord? Drop, BudgetAmount Spent);

/// <summary>One learning-curve point: accuracy after a round against what was spent to get there.</summary>
public sealed record CurvePoint(int Round, long Samples, long TeacherTokens, double CostUsd, double Accuracy, IReadOnlyDictionary<string, double> AccuracyByFamily, double TrainLoss);

/// <summary>What a round's selection looked like: where the picks went and how many were already answered correctly.</summary>
public sealed record RoundSelection(int Round, int Picks, IReadOnlyDictionary<string, int> ByFamily, IReadOnlyDictionary<int, int> ByDifficulty, int AlreadyCorrect, double MeanScore);
