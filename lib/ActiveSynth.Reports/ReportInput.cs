using ActiveSynth.Core.Loop;

namespace ActiveSynth.Reports;

/// <summary>
/// What a report is built from: the run's state (the loop's own record), its spec as JSON (the caller's format,
/// embedded verbatim), per-round stage times and the checkpoint id of each evaluated round (lineage).
/// </summary>
public sealed record ReportInput
{
    public required RunState State { get; init; }

    /// <summary>The run spec as a JSON object (e.g. protobuf JSON of RunSpec); "{}" when unknown.</summary>
    public string SpecJson { get; init; } = "{}";

    public string Name { get; init; } = "";

    public string Strategy { get; init; } = "";

    public IReadOnlyList<StageTime> StageTimes { get; init; } = [];

    /// <summary>Checkpoint id per round (0 = base); missing rounds default to <c>&lt;run&gt;-r&lt;round&gt;</c>.</summary>
    public IReadOnlyDictionary<int, string> CheckpointIds { get; init; } = new Dictionary<int, string>();

    public DateTimeOffset? FinishedAt { get; init; }
}
