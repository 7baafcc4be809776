using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Budgets;
using ActiveSynth.Core.Loop;
using ActiveSynth.Selection.Options;
using CoreMode = ActiveSynth.Core.Loop.GenerationMode;

namespace ActiveSynth.Selection.Mapping;

/// <summary>RunSpec → the loop's settings. What the workers need (student, teacher, training options) travels in their requests.</summary>
public static class RunSpecMapper
{
    /// <summary>The loop's settings for a spec; throws <see cref="SpecValidationException"/> naming every bad field.</summary>
    public static LoopSettings ToLoopSettings(RunSpec spec, SelectionOptions options)
    {
        var errors = RunSpecValidator.Validate(spec, options);
        return errors.Count > 0 ? throw new SpecValidationException(errors) : ToLoopSettingsUnchecked(spec, options);
    }

    internal static LoopSettings ToLoopSettingsUnchecked(RunSpec spec, SelectionOptions options)
    {
        var budget = spec.Budget ?? new Budget();
        var overgenerate = spec.Mode == Contracts.V1.GenerationMode.Overgenerate;
        return new LoopSettings
        {
            Strategy = spec.Strategy?.Name ?? "",
            StrategyOptions = spec.Strategy?.Options.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal) ?? [],
            Mode = overgenerate ? CoreMode.Overgenerate : CoreMode.SeedSelection,
            OvergenerateFactor = overgenerate ? spec.OvergenerateFactor : Math.Max(2, spec.OvergenerateFactor),
            SamplesPerRound = spec.SamplesPerRound,
            Budget = new BudgetLimits(budget.MaxSamples, budget.MaxTeacherCalls, budget.MaxTeacherTokens, budget.MaxCostUsd),
            MaxWallTime = budget.MaxWallTime is { } wall && RunSpecValidator.WallTime(wall, out var span) ? span : TimeSpan.Zero,
            MaxRounds = spec.MaxRounds,
            RandomSeed = spec.RandomSeed,
            GenerationParallelism = options.GenerationParallelism,
            GenerationReservation = Reservation(spec, options),
        };
    }

    /// <summary>Upper bound of one sample: two teacher calls (question, solution), each at most prompt + max completion tokens.</summary>
    public static BudgetAmount Reservation(RunSpec spec, SelectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        var tokens = 2L * (options.ReservationPromptTokens + MaxCompletionTokens(spec, options));
        return new BudgetAmount(1, 2, tokens, tokens / 1000.0 * options.ReservationCostPer1KTokens);
    }

    /// <summary>
    /// The teacher spec sent with each generation request: the run's, with <c>max_completion_tokens</c> set to what
    /// <see cref="Reservation"/> reserved when the run left it 0. Without the cap the endpoint would write (and bill) as much
    /// as it likes (a reasoning model bills hidden tokens up to its own default), and settled spending could pass the budget
    /// that the reservation was meant to guard.
    /// </summary>
    public static TeacherSpec TeacherForRequests(RunSpec spec, SelectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        var teacher = spec.Teacher?.Clone() ?? new TeacherSpec();
        teacher.MaxCompletionTokens = MaxCompletionTokens(spec, options);
        return teacher;
    }

    private static int MaxCompletionTokens(RunSpec spec, SelectionOptions options) =>
        spec.Teacher is { MaxCompletionTokens: > 0 } t ? t.MaxCompletionTokens : options.DefaultMaxCompletionTokens;
}
