using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Engine.Runs;

/// <summary>
/// What a run host keeps about a run next to the loop's <see cref="LoopState"/>: times, the test set, checkpoints per round,
/// per-round stage times and the report. Written only by the host executing the run (and by whoever creates or resumes it).
/// </summary>
public sealed class RunMeta
{
    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public ArtifactInfo? TestSet { get; set; }

    public int TestItems { get; set; }

    /// <summary>Checkpoint of each evaluated round (0 = base).</summary>
    public Dictionary<int, CheckpointHandle> Checkpoints { get; set; } = [];

    public List<StageTime> StageTimes { get; set; } = [];

    public Dictionary<int, DateTimeOffset> RoundStartedAt { get; set; } = [];

    public Dictionary<int, DateTimeOffset> RoundFinishedAt { get; set; } = [];

    /// <summary>Evaluation seconds of each round's TrainOutcome (the TRAIN stage's wall time includes them).</summary>
    public Dictionary<int, double> EvalSeconds { get; set; } = [];

    /// <summary>Teacher calls spent so far at each round's curve point.</summary>
    public Dictionary<int, long> TeacherCallsAt { get; set; } = [];

    public Dictionary<int, double> ElapsedAt { get; set; } = [];

    public ReportArtifacts? Report { get; set; }

    public string? CancelReason { get; set; }
}
