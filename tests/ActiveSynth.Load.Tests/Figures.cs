using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActiveSynth.Load.Tests;

/// <summary>
/// The suite's figures, one entry per scenario, written as JSON when the deployment stops: to the path in
/// <c>ACTIVESYNTH_RELIABILITY_OUT_LOAD</c>, else <c>reliability-load.json</c> in the test output folder.
/// </summary>
public sealed class Figures
{
    public const string PathVariable = "ACTIVESYNTH_RELIABILITY_OUT_LOAD";

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly ConcurrentDictionary<string, ScenarioFigures> _scenarios = new(StringComparer.Ordinal);

    public static string OutputPath =>
        Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } path ? path : Path.Combine(AppContext.BaseDirectory, "reliability-load.json");

    public void Record(ScenarioFigures figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        _scenarios[figures.Scenario] = figures;
    }

    public async Task WriteAsync()
    {
        var path = Path.GetFullPath(OutputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var document = new
        {
            Suite = "ActiveSynth.Load.Tests",
            WrittenAt = DateTimeOffset.UtcNow,
            Scenarios = _scenarios.Values.OrderBy(s => s.Scenario, StringComparer.Ordinal).ToList(),
        };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(document, Options));
    }
}

/// <summary>What one scenario did: faults, runs, samples, and every way a sample or a charge can go wrong.</summary>
public sealed record ScenarioFigures
{
    public required string Scenario { get; init; }

    public int FaultsInjected { get; init; }

    public IReadOnlyDictionary<string, int>? FaultsByKind { get; init; }

    public int Runs { get; init; }

    public int RunsCompleted { get; init; }

    public int RunsFailed { get; init; }

    public long SamplesExpected { get; init; }

    public long SamplesKept { get; init; }

    public long SamplesLost { get; init; }

    /// <summary>Samples of the budget a failed run did not produce (the budget could not be met).</summary>
    public long SamplesShort { get; init; }

    public int Duplicates { get; init; }

    public long BudgetOvershoot { get; init; }

    public int ChargedTwice { get; init; }

    public long BilledTokens { get; init; }

    public long RecordedTokens { get; init; }

    public int ForeignSamples { get; init; }

    public string? FailureReason { get; init; }

    public double DurationSeconds { get; init; }
}
