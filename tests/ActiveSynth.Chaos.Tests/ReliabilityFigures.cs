using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActiveSynth.Chaos.Tests;

/// <summary>One fault's figures in the reliability JSON.</summary>
public sealed record FaultFigures(
    string Fault,
    string RunId,
    int RunsCompleted,
    long SamplesExpected,
    long SamplesKept,
    int Lost,
    int Duplicates,
    long BudgetOvershoot,
    long Dropped,
    long DropsWithoutReason,
    int Trainings,
    int RoundsTrainedTwice,
    double DurationSeconds,
    IReadOnlyList<string> Injected);

/// <summary>
/// Collects each fault's figures and writes them as JSON to <c>ACTIVESYNTH_RELIABILITY_OUT</c> (default:
/// <c>reliability.json</c> in the test output folder), rewritten after every fault so a crash keeps what was measured.
/// </summary>
public sealed class ReliabilityFigures
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private readonly List<FaultFigures> _faults = [];
    private readonly Lock _gate = new();

    public static string OutputPath => Environment.GetEnvironmentVariable("ACTIVESYNTH_RELIABILITY_OUT") is { Length: > 0 } path
        ? Path.GetFullPath(path)
        : Path.Combine(AppContext.BaseDirectory, "reliability.json");

    public void Add(RunAudit audit, string fault, TimeSpan duration, IReadOnlyList<string> injected)
    {
        ArgumentNullException.ThrowIfNull(audit);
        lock (_gate)
        {
            _faults.Add(new FaultFigures(fault, audit.RunId, audit.State == Contracts.V1.RunState.Completed ? 1 : 0, audit.Expected, audit.Kept,
                audit.Lost, audit.Duplicates, audit.Overshoot, audit.Dropped, audit.DropsWithoutReason, audit.Trainings, audit.TrainedTwice.Count, Math.Round(duration.TotalSeconds, 1), injected));
            Write();
        }
    }

    public void Write()
    {
        lock (_gate)
        {
            var path = OutputPath;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var document = new
            {
                generatedAt = DateTimeOffset.UtcNow,
                machine = $"{Environment.ProcessorCount} cores",
                faults = _faults,
            };
            File.WriteAllText(path, JsonSerializer.Serialize(document, Json));
        }
    }
}
