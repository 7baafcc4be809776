using System.ComponentModel.DataAnnotations;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Selection.Options;

/// <summary>The Selection service's settings (section <c>Selection</c>), validated at start; the run-planning ones come from <see cref="RunPlanOptions"/>.</summary>
public sealed class SelectionOptions : RunPlanOptions
{
    public const string SectionName = "Selection";

    /// <summary>
    /// Most runs pending or running in this service at once: StartRun and ResumeRun beyond it answer ResourceExhausted naming this
    /// setting. Every run holds its seed pool and state in memory and keeps workers busy; runs resumed at start are not refused.
    /// </summary>
    [Range(1, 1000)]
    public int MaxConcurrentRuns { get; set; } = 8;

    /// <summary>How often WatchRun looks for new events when no signal arrived (each event signals its watchers at once).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan WatchPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait for one score result (the whole seed pool in one request).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ScoreTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Longest wait for one generation (or judge) chunk's result.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan GenerateTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Longest wait for one train result (round 0 may pretrain the base first).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "2.00:00:00")]
    public TimeSpan TrainTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Longest CancelRun waits for the run's loop to stop and save.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan CancelWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for one reply of <paramref name="kind"/>.</summary>
    public TimeSpan TimeoutFor(WorkKind kind) => kind switch
    {
        WorkKind.Score => ScoreTimeout,
        WorkKind.Generate or WorkKind.Judge => GenerateTimeout,
        WorkKind.Train => TrainTimeout,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown work kind"),
    };
}
