namespace ActiveSynth.Core.Budgets;

/// <summary>
/// Budget accounting that concurrent callers cannot overshoot: work reserves an upper bound of what it may
/// spend before it starts (refused when used + reserved + amount would pass a limit), and settles the actual
/// spending after it ends, which frees the rest. Reservation and settlement are idempotent by reservation id,
/// so a redelivered request neither holds nor pays twice. Implementations: <see cref="InMemoryBudgetLedger"/>
/// (one process), a Redis-backed one in the Teacher service (shared by replicas).
/// </summary>
public interface IBudgetLedger
{
    /// <summary>Creates the account with <paramref name="limits"/>, or replaces the limits of an existing one (a resumed run's new budget).</summary>
    ValueTask OpenAsync(string account, BudgetLimits limits, CancellationToken ct = default);

    /// <summary>
    /// Holds <paramref name="amount"/> under <paramref name="reservationId"/>. Reserving an id again returns the
    /// existing reservation. Refused (with the blocking dimension) when a limit would be passed; unknown accounts throw.
    /// </summary>
    ValueTask<ReserveResult> TryReserveAsync(string account, string reservationId, BudgetAmount amount, CancellationToken ct = default);

    /// <summary>
    /// Replaces the reservation by the <paramref name="actual"/> spending. Returns false when the reservation was
    /// already settled or released (nothing changes). Spending is recorded as it was, even above the reservation:
    /// reservations must be upper bounds for the no-overshoot guarantee to hold.
    /// </summary>
    ValueTask<bool> SettleAsync(string account, string reservationId, BudgetAmount actual, CancellationToken ct = default);

    /// <summary>Frees a reservation that spent nothing (the work never ran). False when already settled or released.</summary>
    ValueTask<bool> ReleaseAsync(string account, string reservationId, CancellationToken ct = default);

    ValueTask<BudgetSnapshot> GetAsync(string account, CancellationToken ct = default);
}
