namespace ActiveSynth.Core.Budgets;

/// <summary>An amount of budget in every dimension a run can be limited by (docs/architecture.md, "The loop").</summary>
public readonly record struct BudgetAmount(long Samples, long TeacherCalls, long TeacherTokens, double CostUsd)
{
    public static BudgetAmount Zero => default;

    public static BudgetAmount operator +(BudgetAmount a, BudgetAmount b) =>
        new(a.Samples + b.Samples, a.TeacherCalls + b.TeacherCalls, a.TeacherTokens + b.TeacherTokens, a.CostUsd + b.CostUsd);

    public static BudgetAmount operator -(BudgetAmount a, BudgetAmount b) =>
        new(a.Samples - b.Samples, a.TeacherCalls - b.TeacherCalls, a.TeacherTokens - b.TeacherTokens, a.CostUsd - b.CostUsd);

    /// <summary>This amount <paramref name="count"/> times (the reservation of that many calls).</summary>
    public BudgetAmount Times(int count) => new(Samples * count, TeacherCalls * count, TeacherTokens * count, CostUsd * count);

    public static BudgetAmount Add(BudgetAmount a, BudgetAmount b) => a + b;

    public static BudgetAmount Subtract(BudgetAmount a, BudgetAmount b) => a - b;

    /// <summary>True when no dimension is negative (amounts to reserve or settle must be).</summary>
    public bool IsValid => Samples >= 0 && TeacherCalls >= 0 && TeacherTokens >= 0 && CostUsd >= 0 && double.IsFinite(CostUsd);
}
