using System.ComponentModel.DataAnnotations;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Engine.Specs;

/// <summary>
/// The deployment-wide settings that shape a run besides its spec: reservation sizes, parallelism, task-set limits. The Selection
/// service binds them from its <c>Selection</c> section (<c>SelectionOptions</c> extends this class); an in-process run uses the
/// same defaults, so both transports plan a spec the same way.
/// </summary>
public class RunPlanOptions
{
    /// <summary>Generations of one round in flight at once (chunks in flight × chunk size).</summary>
    [Range(1, 256)]
    public int GenerationParallelism { get; set; } = 32;

    /// <summary>Generations per request to the Teacher worker: a round of m samples travels as m / this many requests.</summary>
    [Range(1, 1024)]
    public int GenerationChunkSize { get; set; } = 16;

    /// <summary>
    /// Seeds (or candidates) per request to the Scoring worker: a round's pool is scored as pool / this many requests, served by
    /// every Scoring replica, so no message grows with the pool. Keep it a multiple of <c>Scoring:BatchSize</c> (256), which keeps
    /// the scorer's batches, and so the signals and picks, what one request would give.
    /// </summary>
    [Range(1, 100_000)]
    public int ScoreChunkSize { get; set; } = 256;

    /// <summary>Scoring requests of one round in flight at once (enough to keep every Scoring replica busy).</summary>
    [Range(1, 256)]
    public int ScoreChunksInFlight { get; set; } = 8;

    /// <summary>Upper bound of one teacher call's prompt tokens, for budget reservations.</summary>
    [Range(1, 1_000_000)]
    public int ReservationPromptTokens { get; set; } = 1024;

    /// <summary>Completion tokens reserved per call when the spec's teacher.max_completion_tokens is 0.</summary>
    [Range(1, 1_000_000)]
    public int DefaultMaxCompletionTokens { get; set; } = 512;

    /// <summary>Price per 1k teacher tokens used to reserve cost (an upper bound of the configured prices; 0 = cost is not reserved).</summary>
    [Range(0.0, 1000.0)]
    public double ReservationCostPer1KTokens { get; set; }

    /// <summary>
    /// Most teacher generations (samples_per_round × max_rounds, × overgenerate_factor) a run may ask for without a budget limit on
    /// samples, teacher calls, tokens or cost; such a run must also set max_rounds. A run with a budget is bounded by it instead.
    /// </summary>
    [Range(1, 100_000_000)]
    public int MaxGenerationsWithoutBudget { get; set; } = 100_000;

    /// <summary>Largest seed pool (seed_items, seed_pool_size or a seed file); every round scores the whole pool.</summary>
    [Range(1, 1_000_000)]
    public int MaxSeedPoolSize { get; set; } = 100_000;

    [Range(1, 1_000_000)]
    public int MaxTestSetSize { get; set; } = 100_000;

    /// <summary>
    /// When true, TaskSpec.seed_file and test_file may be absolute paths anywhere this process can read (a single-user
    /// machine). Default false: task files live in the artifact directory (see <c>activesynth seeds import</c>), so a
    /// client cannot make the service read, and echo errors about, files such as /etc/passwd.
    /// </summary>
    public bool AllowTaskFilesOutsideArtifacts { get; set; }
}
