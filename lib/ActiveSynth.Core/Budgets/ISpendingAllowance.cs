namespace ActiveSynth.Core.Budgets;

/// <summary>
/// What the teacher may still spend within one stage of a run: a caller reserves before each call and settles when it returns, so
/// calls in flight never take the run past a budget. The loop hands one to the score stage for the judge's ratings (generation
/// reserves the same way inside the loop).
/// </summary>
public interface ISpendingAllowance
{
    /// <summary>Reserves <paramref name="unit"/> for as many of <paramref name="wanted"/> calls as the budget takes, and returns how many (0: none).</summary>
    int Reserve(BudgetAmount unit, int wanted);

    /// <summary>Frees <paramref name="reserved"/> and counts <paramref name="spent"/>, what the calls actually cost.</summary>
    void Settle(BudgetAmount reserved, BudgetAmount spent);
}
