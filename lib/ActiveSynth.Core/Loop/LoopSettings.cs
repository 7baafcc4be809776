using ActiveSynth.Core.Budgets;

namespace ActiveSynth.Core.Loop;

/// <summary>How samples are chosen each round (docs/architecture.md, "The loop").</summary>
public enum LoopMode
{
    /// <summary>The paper's mode: score the seed pool, pick m seeds, write one sample per pick.</summary>
    SeedSelection,

    /// <summary>Write k·m candidates from random seeds, score the candidates, keep m.</summary>
    Overgenerate,
}

/// <summary>
/// The part of a run's spec that the loop itself reads. Everything else (student size, teacher model,
/// training options) is the workers' business and reaches them through <see cref="ILoopWorkers"/>.
/// </summary>
public sealed record LoopSettings
{
    public required string Strategy { get; init; }

    public IReadOnlyDictionary<string, string> StrategyOptions { get; init; } = new Dictionary<string, string>();

    public LoopMode Mode { get; init; } = LoopMode.SeedSelection;

    /// <summary>k in overgenerate mode (k·m candidates per round).</summary>
    public int OvergenerateFactor { get; init; } = 2;

    /// <summary>m: samples kept per round.</summary>
    public required int SamplesPerRound { get; init; }

    public BudgetLimits Budget { get; init; } = BudgetLimits.Unlimited;

    /// <summary>Stop after this much wall time (0 = no limit); checked between stages and before each teacher call.</summary>
    public TimeSpan MaxWallTime { get; init; }

    /// <summary>0 = until the budget is spent.</summary>
    public int MaxRounds { get; init; }

    /// <summary>Master seed: the same seed gives the same selections for the same signals.</summary>
    public long RandomSeed { get; init; }

    /// <summary>Generations in flight at once within a round (chunks in flight × chunk size).</summary>
    public int GenerationParallelism { get; init; } = 8;

    /// <summary>Generations per request to the teacher worker: a round travels as a few chunks, not one request per sample.</summary>
    public int GenerationChunkSize { get; init; } = 16;

    /// <summary>
    /// Items per request to the scoring worker: a round's pool travels as pool / this many requests, which every scoring replica
    /// serves, so no request or reply grows with the pool. A multiple of the scorer's batch size keeps its batches, and so its
    /// signals, the same as one request would.
    /// </summary>
    public int ScoreChunkSize { get; init; } = 256;

    /// <summary>Scoring chunks in flight at once within a round.</summary>
    public int ScoreChunksInFlight { get; init; } = 8;

    /// <summary>Upper bound of one sample's teacher cost (two calls), reserved before the calls and settled after.</summary>
    public required BudgetAmount GenerationReservation { get; init; }

    /// <summary>Upper bound of one judge rating's teacher cost (one call), reserved before the call and settled after.</summary>
    public required BudgetAmount JudgeReservation { get; init; }

    /// <summary>
    /// Checked before anything runs: a bad value names its field the way the Runs API spells it.
    /// </summary>
    public IReadOnlyList<SpecError> Validate()
    {
        var errors = new List<SpecError>();
        if (string.IsNullOrWhiteSpace(Strategy))
        {
            errors.Add(new("strategy.name", "is required"));
        }
        if (SamplesPerRound <= 0)
        {
            errors.Add(new("samples_per_round", $"must be > 0, got {SamplesPerRound}"));
        }
        if (Mode == LoopMode.Overgenerate && OvergenerateFactor < 2)
        {
            errors.Add(new("overgenerate_factor", $"must be >= 2 in OVERGENERATE mode, got {OvergenerateFactor}"));
        }
        if (MaxRounds < 0)
        {
            errors.Add(new("max_rounds", $"must be >= 0, got {MaxRounds}"));
        }
        if (Budget.MaxSamples < 0 || Budget.MaxTeacherCalls < 0 || Budget.MaxTeacherTokens < 0 || Budget.MaxCostUsd < 0 || !double.IsFinite(Budget.MaxCostUsd))
        {
            errors.Add(new("budget", "limits must be >= 0 (0 = unlimited)"));
        }
        if (MaxWallTime < TimeSpan.Zero)
        {
            errors.Add(new("budget.max_wall_time", "must be >= 0"));
        }
        if (MaxRounds == 0 && Budget == BudgetLimits.Unlimited && MaxWallTime == TimeSpan.Zero)
        {
            errors.Add(new("budget", "a run needs an end: set a budget limit or max_rounds"));
        }
        if (GenerationParallelism is < 1 or > 256)
        {
            errors.Add(new("generation_parallelism", $"must be 1..256, got {GenerationParallelism}"));
        }
        if (ScoreChunkSize is < 1 or > 100_000)
        {
            errors.Add(new("score_chunk_size", $"must be 1..100000, got {ScoreChunkSize}"));
        }
        if (ScoreChunksInFlight is < 1 or > 256)
        {
            errors.Add(new("score_chunks_in_flight", $"must be 1..256, got {ScoreChunksInFlight}"));
        }
        if (GenerationChunkSize is < 1 or > 1024)
        {
            errors.Add(new("generation_chunk_size", $"must be 1..1024, got {GenerationChunkSize}"));
        }
        return errors;
    }
}

/// <summary>One invalid field of a run spec: its path as the API spells it, and what is wrong.</summary>
public sealed record SpecError(string Field, string Problem)
{
    public override string ToString() => $"{Field}: {Problem}";
}
