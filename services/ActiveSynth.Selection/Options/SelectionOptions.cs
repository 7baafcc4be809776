using System.ComponentModel.DataAnnotations;
using ActiveSynth.Engine;

namespace ActiveSynth.Selection.Options;

/// <summary>The Selection service's settings (section <c>Selection</c>), validated at start; the run-planning ones come from <see cref="RunPlanOptions"/>.</summary>
public sealed class SelectionOptions : RunPlanOptions
{
    public const string SectionName = "Selection";

    /// <summary>How often a waiting loop step looks for its stored result when no notification arrived.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan ResultPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often a waiting step checks the request stream's dead letters for its request.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan DeadLetterCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait for one score result (the whole seed pool in one request).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ScoreTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Longest wait for one generation result.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan GenerateTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Longest wait for one train result (round 0 may pretrain the base first).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "2.00:00:00")]
    public TimeSpan TrainTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How long stored results are kept in Redis.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan ResultTimeToLive { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Longest CancelRun waits for the run's loop to stop and save.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan CancelWait { get; set; } = TimeSpan.FromSeconds(10);
}
