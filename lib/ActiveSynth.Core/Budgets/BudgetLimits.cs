namespace ActiveSynth.Core.Budgets;

/// <summary>Budget limits; 0 in a dimension means unlimited (as in the contract's <c>Budget</c> message).</summary>
public sealed record BudgetLimits(long MaxSamples = 0, long MaxTeacherCalls = 0, long MaxTeacherTokens = 0, double MaxCostUsd = 0)
{
    public static BudgetLimits Unlimited { get; } = new();

    /// <summary>
    /// The first dimension in which <paramref name="committed"/> (used + reserved) plus <paramref name="extra"/>
    /// would pass its limit, by its contract name ("samples", "teacher_calls", "teacher_tokens", "cost_usd"); null if none.
    /// </summary>
    public string? FirstExceeded(BudgetAmount committed, BudgetAmount extra)
    {
        var total = committed + extra;
        if (MaxSamples > 0 && total.Samples > MaxSamples)
        {
            return "samples";
        }
        if (MaxTeacherCalls > 0 && total.TeacherCalls > MaxTeacherCalls)
        {
            return "teacher_calls";
        }
        if (MaxTeacherTokens > 0 && total.TeacherTokens > MaxTeacherTokens)
        {
            return "teacher_tokens";
        }
        // A tiny tolerance: cost is a sum of floating-point prices.
        return MaxCostUsd > 0 && total.CostUsd > MaxCostUsd + 1e-12 ? "cost_usd" : null;
    }

    /// <summary>The first dimension whose limit <paramref name="committed"/> has reached; null if none.</summary>
    public string? FirstReached(BudgetAmount committed)
    {
        if (MaxSamples > 0 && committed.Samples >= MaxSamples)
        {
            return "samples";
        }
        if (MaxTeacherCalls > 0 && committed.TeacherCalls >= MaxTeacherCalls)
        {
            return "teacher_calls";
        }
        if (MaxTeacherTokens > 0 && committed.TeacherTokens >= MaxTeacherTokens)
        {
            return "teacher_tokens";
        }
        return MaxCostUsd > 0 && committed.CostUsd >= MaxCostUsd - 1e-12 ? "cost_usd" : null;
    }
}
