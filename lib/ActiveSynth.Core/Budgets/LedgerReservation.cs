namespace ActiveSynth.Core.Budgets;

/// <summary>Budget held for work in flight; settled (or released) exactly once by <see cref="Id"/>.</summary>
public sealed record LedgerReservation(string Account, string Id, BudgetAmount Amount);

/// <summary>Outcome of a reservation attempt: the reservation, or the dimension that blocked it.</summary>
public sealed record ReserveResult(LedgerReservation? Reservation, string? BlockedBy)
{
    public bool Succeeded => Reservation is not null;
}

/// <summary>An account's state: "used" is settled spending; "reserved" is held for work in flight.</summary>
public sealed record BudgetSnapshot(BudgetLimits Limits, BudgetAmount Used, BudgetAmount Reserved, int OpenReservations)
{
    /// <summary>The dimension whose limit used + reserved has reached, or null.</summary>
    public string? ExhaustedBy => Limits.FirstReached(Used + Reserved);
}
