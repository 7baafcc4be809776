using System.Globalization;
using System.Text;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Budgets;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Engine.Specs;

/// <summary>
/// Everything a run needs, derived in one place from its <see cref="RunSpec"/>: the loop's settings, the seed pool and test
/// set, every component seed (task sets, teacher calls, each round's training) and what each worker request carries. The
/// Selection service and the in-process runner both plan through here, so the same spec is the same experiment on either
/// transport. Nothing here depends on the run id: a re-run of a spec asks the teacher the same questions (and hits its cache).
/// </summary>
public sealed class RunPlan
{
    private RunPlan(RunSpec spec, RunPlanOptions options)
    {
        Spec = WithRecipeDefaults(spec);
        Options = options;
        Loop = ToLoopSettingsUnchecked(Spec, options);
    }

    /// <summary>The spec as it runs: the given one with the <see cref="EmbeddedRecipe"/>'s training where an embedded student left it unset.</summary>
    public RunSpec Spec { get; }

    public RunPlanOptions Options { get; }

    public LoopSettings Loop { get; }

    /// <summary>Seed of the generated seed pool (the test set uses the next one): TaskSpec.random_seed, else derived from the master seed.</summary>
    public int TaskSeed => unchecked((int)(Spec.Task is { RandomSeed: not 0 } task ? task.RandomSeed : Spec.RandomSeed * 31 + 17));

    /// <summary>Validates <paramref name="spec"/> (throws <see cref="SpecValidationException"/> naming every bad field) and plans it.</summary>
    public static RunPlan Create(RunSpec? spec, RunPlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = RunSpecValidator.Validate(spec, options);
        return errors.Count > 0 ? throw new SpecValidationException(errors) : new RunPlan(spec!, options);
    }

    /// <summary>The loop's settings for a spec; throws <see cref="SpecValidationException"/> naming every bad field.</summary>
    public static LoopSettings ToLoopSettings(RunSpec? spec, RunPlanOptions options) => Create(spec, options).Loop;

    /// <summary>The seed pool D0 and the held-out test set (inline items, files under the artifact root, or generated from <see cref="TaskSeed"/>).</summary>
    public (IReadOnlyList<TaskItem> Seeds, IReadOnlyList<TaskItem> Test) BuildTaskSets(ArtifactStore artifacts) =>
        TaskSets.Build(Spec, TaskSeed, artifacts, Options);

    /// <summary>The id of the sample written in <paramref name="slot"/> of <paramref name="round"/>: the teacher seeds its calls from it.</summary>
    public static string SampleId(int round, int slot) => string.Create(CultureInfo.InvariantCulture, $"r{round}-s{slot}");

    /// <summary>The teacher spec each generation request carries: completion tokens capped as reserved, the sampling seed fixed.</summary>
    public TeacherSpec TeacherForRequests()
    {
        var teacher = TeacherForRequests(Spec, Options);
        if (teacher.RandomSeed == 0)
        {
            teacher.RandomSeed = Spec.RandomSeed;
        }
        return teacher;
    }

    /// <summary>Round <paramref name="round"/>'s training options: the spec's, with the round's seed when the spec leaves it 0.</summary>
    public TrainingOptions TrainingFor(int round)
    {
        var training = Spec.Training?.Clone() ?? new TrainingOptions();
        if (training.RandomSeed == 0 && round > 0)
        {
            training.RandomSeed = DerivedSeed(Spec.RandomSeed, "train", round);
        }
        return training;
    }

    /// <summary>Upper bound of one sample: two teacher calls (question, solution), each at most prompt + max completion tokens.</summary>
    public static BudgetAmount Reservation(RunSpec spec, RunPlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        var tokens = 2L * (options.ReservationPromptTokens + MaxCompletionTokens(spec, options));
        return new BudgetAmount(1, 2, tokens, tokens / 1000.0 * options.ReservationCostPer1KTokens);
    }

    /// <summary>One judge rating's reservation: a call of at most the prompt reservation plus the completion cap.</summary>
    public static BudgetAmount JudgeReservation(RunSpec spec, RunPlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        var tokens = (long)options.ReservationPromptTokens + MaxCompletionTokens(spec, options);
        return new BudgetAmount(0, 1, tokens, tokens / 1000.0 * options.ReservationCostPer1KTokens);
    }

    /// <summary>
    /// The run's teacher spec with <c>max_completion_tokens</c> set to what <see cref="Reservation"/> reserved when the run left
    /// it 0. Without the cap the endpoint would write (and bill) as much as it likes (a reasoning model bills hidden tokens up to
    /// its own default), and settled spending could pass the budget that the reservation was meant to guard.
    /// </summary>
    public static TeacherSpec TeacherForRequests(RunSpec spec, RunPlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        var teacher = spec.Teacher?.Clone() ?? new TeacherSpec();
        teacher.MaxCompletionTokens = MaxCompletionTokens(spec, options);
        return teacher;
    }

    private static RunSpec WithRecipeDefaults(RunSpec spec)
    {
        if (spec.Training is not null || spec.Student is { Kind: StudentKind.Hf })
        {
            return spec;
        }
        var effective = spec.Clone();
        effective.Training = EmbeddedRecipe.Training();
        return effective;
    }

    internal static LoopSettings ToLoopSettingsUnchecked(RunSpec spec, RunPlanOptions options)
    {
        var budget = spec.Budget ?? new Budget();
        var overgenerate = spec.Mode == Contracts.V1.GenerationMode.Overgenerate;
        return new LoopSettings
        {
            Strategy = spec.Strategy?.Name ?? "",
            StrategyOptions = spec.Strategy?.Options.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal) ?? [],
            Mode = overgenerate ? LoopMode.Overgenerate : LoopMode.SeedSelection,
            OvergenerateFactor = overgenerate ? spec.OvergenerateFactor : Math.Max(2, spec.OvergenerateFactor),
            SamplesPerRound = spec.SamplesPerRound,
            Budget = new BudgetLimits(budget.MaxSamples, budget.MaxTeacherCalls, budget.MaxTeacherTokens, budget.MaxCostUsd),
            MaxWallTime = budget.MaxWallTime is { } wall && RunSpecValidator.WallTime(wall, out var span) ? span : TimeSpan.Zero,
            MaxRounds = spec.MaxRounds,
            RandomSeed = spec.RandomSeed,
            GenerationParallelism = options.GenerationParallelism,
            GenerationChunkSize = options.GenerationChunkSize,
            ScoreChunkSize = options.ScoreChunkSize,
            ScoreChunksInFlight = options.ScoreChunksInFlight,
            GenerationReservation = Reservation(spec, options),
            JudgeReservation = JudgeReservation(spec, options),
        };
    }

    private static int MaxCompletionTokens(RunSpec spec, RunPlanOptions options) =>
        spec.Teacher is { MaxCompletionTokens: > 0 } t ? t.MaxCompletionTokens : options.DefaultMaxCompletionTokens;

    /// <summary>A stable, non-zero seed (FNV-1a: string.GetHashCode is randomised per process).</summary>
    private static long DerivedSeed(long master, string component, int index)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{master}/{component}/{index}")))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        return Math.Max(1, (long)(hash >> 1));
    }
}
