using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActiveSynth.Chaos.Tests;

/// <summary>One fault's figures in the reliability JSON (the same keys as the load suite's scenarios).</summary>
public sealed record FaultFigures(
    string Scenario,
    string RunId,
    int FaultsInjected,
    int Runs,
    int RunsCompleted,
    long SamplesExpected,
    long SamplesKept,
    int SamplesLost,
    int Duplicates,
    long BudgetOvershoot,
    long Dropped,
    long DropsWithoutReason,
    int Trainings,
    int RoundsTrainedTwice,
    double DurationSeconds,
    IReadOnlyList<string> Injected,
    IReadOnlyList<string> Observed,
    TeacherBilling? TeacherEndpoint);

/// <summary>
/// What an OpenAI-compatible teacher endpoint billed during a fault: calls billed more than once, calls billed whose client had
/// died (abandoned), and billed tokens the run did not record. Null for faults on the embedded teacher.
/// </summary>
public sealed record TeacherBilling(long BilledCompletions, int ChargedTwice, long AbandonedCalls, long BilledTokens, long RecordedTokens, bool BillsAbandonedCalls)
{
    public long UnrecordedTokens => BilledTokens - RecordedTokens;
}

/// <summary>
/// Collects each fault's figures and writes them as JSON to <c>ACTIVESYNTH_RELIABILITY_OUT_CHAOS</c> (default:
/// <c>reliability-chaos.json</c> in the test output folder), rewritten after every fault so a crash keeps what was measured.
/// </summary>
public sealed class ReliabilityFigures
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private readonly List<FaultFigures> _faults = [];
    private readonly Lock _gate = new();

    public static string OutputPath => Environment.GetEnvironmentVariable("ACTIVESYNTH_RELIABILITY_OUT_CHAOS") is { Length: > 0 } path
        ? Path.GetFullPath(path)
        : Path.Combine(AppContext.BaseDirectory, "reliability-chaos.json");

    /// <param name="injected">One line per fault injected (they are counted).</param>
    /// <param name="observed">What else the test checked around the faults (not counted).</param>
    public void Add(RunAudit audit, string fault, TimeSpan duration, IReadOnlyList<string> injected, IReadOnlyList<string>? observed = null,
        TeacherBilling? teacherEndpoint = null)
    {
        ArgumentNullException.ThrowIfNull(audit);
        lock (_gate)
        {
            _faults.Add(new FaultFigures(fault, audit.RunId, injected.Count, 1, audit.State == Contracts.V1.RunState.Completed ? 1 : 0, audit.Expected, audit.Kept,
                audit.Lost, audit.Duplicates, audit.Overshoot, audit.Dropped, audit.DropsWithoutReason, audit.Trainings, audit.TrainedTwice.Count, Math.Round(duration.TotalSeconds, 1), injected, observed ?? [], teacherEndpoint));
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
                Suite = "ActiveSynth.Chaos.Tests",
                WrittenAt = DateTimeOffset.UtcNow,
                Machine = $"{Environment.ProcessorCount} cores",
                Scenarios = _faults,
            };
            File.WriteAllText(path, JsonSerializer.Serialize(document, Json));
        }
    }
}
