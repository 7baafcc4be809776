using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Loop;
using Google.Protobuf;

namespace ActiveSynth.Reports;

/// <summary>A run's report input from its spec and state, the same for both transports.</summary>
public static class RunReports
{
    public static ReportInput Input(RunSpec spec, LoopState state, IReadOnlyList<StageTime> stageTimes,
        IReadOnlyDictionary<int, CheckpointHandle> checkpoints, DateTimeOffset? finishedAt)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(checkpoints);
        return new ReportInput
        {
            State = state,
            SpecJson = JsonFormatter.Default.Format(spec),
            Name = spec.Name,
            Strategy = spec.Strategy?.Name ?? "",
            StageTimes = stageTimes,
            CheckpointIds = checkpoints.ToDictionary(c => c.Key, c => c.Value.Id),
            FinishedAt = finishedAt,
        };
    }
}
