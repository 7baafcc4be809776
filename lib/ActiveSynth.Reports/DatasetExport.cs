using System.Text.Json;
using ActiveSynth.Core.Datasets;
using ActiveSynth.Core.Loop;

namespace ActiveSynth.Reports;

/// <summary>A run's kept samples as GSM8K JSONL (dataset.jsonl) and their lineage (lineage.jsonl), one line per sample in the same order.</summary>
public static class DatasetExport
{
    private static readonly JsonSerializerOptions LineOptions = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>{"question","answer","id","family","difficulty"} per kept sample (imports back with <see cref="Gsm8kJsonl"/>).</summary>
    public static void WriteDataset(LoopState state, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(state);
        Gsm8kJsonl.Export(state.Samples.Select(s => s.Item), stream, includeMetadata: true);
    }

    /// <summary>Where each kept sample came from and which checkpoints trained on it.</summary>
    public static void WriteLineage(ReportInput input, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(stream);
        var trainedRounds = input.State.Curve.Where(p => p.Round > 0).Select(p => p.Round).ToList();
        foreach (var sample in input.State.Samples)
        {
            var line = new LineageLine(sample.Item.Id, input.State.RunId, sample.Round, sample.SeedId, sample.Strategy, sample.StrategyScore,
                sample.Item.Family, sample.Item.Difficulty, sample.TeacherCallIds,
                [.. trainedRounds.Where(r => r >= sample.Round).Select(r => RunReportBuilder.CheckpointId(input, r))]);
            JsonSerializer.Serialize(stream, line, LineOptions);
            stream.WriteByte((byte)'\n');
        }
    }

    private sealed record LineageLine(string SampleId, string RunId, int Round, string SeedId, string Strategy, double StrategyScore,
        string Family, int Difficulty, IReadOnlyList<string> TeacherCallIds, IReadOnlyList<string> TrainedCheckpointIds);
}
