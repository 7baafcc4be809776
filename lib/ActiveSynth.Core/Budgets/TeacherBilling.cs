namespace ActiveSynth.Core.Budgets;

/// <summary>
/// What a teacher endpoint was actually paid, beside what the work cost (<see cref="BudgetAmount"/>, which limits count): a reply
/// served from the response cache costs the usage it was made with but bills nothing, so the two differ by the cache hits.
/// </summary>
/// <param name="TeacherCalls">Calls that reached the endpoint.</param>
/// <param name="TeacherTokens">Prompt + completion tokens the endpoint was paid.</param>
/// <param name="CostUsd">Dollars the endpoint was paid, at the configured prices.</param>
/// <param name="CacheHits">Calls answered by the response cache instead.</param>
public readonly record struct TeacherBilling(long TeacherCalls, long TeacherTokens, double CostUsd, long CacheHits)
{
    public static TeacherBilling Zero => default;

    public static TeacherBilling operator +(TeacherBilling a, TeacherBilling b) =>
        new(a.TeacherCalls + b.TeacherCalls, a.TeacherTokens + b.TeacherTokens, a.CostUsd + b.CostUsd, a.CacheHits + b.CacheHits);

    public static TeacherBilling Add(TeacherBilling a, TeacherBilling b) => a + b;
}
