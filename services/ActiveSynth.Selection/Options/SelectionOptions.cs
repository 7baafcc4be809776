using System.ComponentModel.DataAnnotations;

namespace ActiveSynth.Selection.Options;

/// <summary>The Selection service's settings (section <c>Selection</c>), validated at start.</summary>
public sealed class SelectionOptions
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

    /// <summary>Generation requests of one round in flight at once.</summary>
    [Range(1, 256)]
    public int GenerationParallelism { get; set; } = 32;

    /// <summary>Upper bound of one teacher call's prompt tokens, for budget reservations.</summary>
    [Range(1, 1_000_000)]
    public int ReservationPromptTokens { get; set; } = 1024;

    /// <summary>Completion tokens reserved per call when the spec's teacher.max_completion_tokens is 0.</summary>
    [Range(1, 1_000_000)]
    public int DefaultMaxCompletionTokens { get; set; } = 512;

    /// <summary>Price per 1k teacher tokens used to reserve cost (an upper bound of the configured prices; 0 = cost is not reserved).</summary>
    [Range(0.0, 1000.0)]
    public double ReservationCostPer1KTokens { get; set; }

    [Range(1, 1_000_000)]
    public int MaxSeedPoolSize { get; set; } = 100_000;

    [Range(1, 1_000_000)]
    public int MaxTestSetSize { get; set; } = 100_000;

    /// <summary>
    /// When true, TaskSpec.seed_file and test_file may be absolute paths anywhere this service can read (a single-user
    /// machine). Default false: task files live in the artifact directory (see <c>activesynth seeds import</c>), so a
    /// client cannot make the service read, and echo errors about, files such as /etc/passwd.
    /// </summary>
    public bool AllowTaskFilesOutsideArtifacts { get; set; }

    /// <summary>Longest CancelRun waits for the run's loop to stop and save.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan CancelWait { get; set; } = TimeSpan.FromSeconds(10);
}
