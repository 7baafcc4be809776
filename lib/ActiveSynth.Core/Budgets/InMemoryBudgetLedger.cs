namespace ActiveSynth.Core.Budgets;

/// <summary>
/// <see cref="IBudgetLedger"/> for one process (the in-process loop, tests, one gRPC call's cap). One lock per
/// account makes check-and-reserve atomic, which is the whole no-overshoot guarantee.
/// </summary>
public sealed class InMemoryBudgetLedger : IBudgetLedger
{
    private readonly Dictionary<string, Account> _accounts = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public ValueTask OpenAsync(string account, BudgetLimits limits, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(account);
        ArgumentNullException.ThrowIfNull(limits);
        lock (_gate)
        {
            if (_accounts.TryGetValue(account, out var existing))
            {
                existing.Limits = limits;
            }
            else
            {
                _accounts[account] = new Account(limits);
            }
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<ReserveResult> TryReserveAsync(string account, string reservationId, BudgetAmount amount, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reservationId);
        if (!amount.IsValid)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), "A reservation cannot be negative.");
        }
        lock (_gate)
        {
            var state = Get(account);
            if (state.Open.TryGetValue(reservationId, out var held))
            {
                return ValueTask.FromResult(new ReserveResult(new LedgerReservation(account, reservationId, held), null));
            }
            if (state.Closed.Contains(reservationId))
            {
                return ValueTask.FromResult(new ReserveResult(null, "settled"));
            }
            var blocked = state.Limits.FirstExceeded(state.Used + state.Reserved, amount);
            if (blocked is not null)
            {
                return ValueTask.FromResult(new ReserveResult(null, blocked));
            }
            state.Open[reservationId] = amount;
            state.Reserved += amount;
            return ValueTask.FromResult(new ReserveResult(new LedgerReservation(account, reservationId, amount), null));
        }
    }

    public ValueTask<bool> SettleAsync(string account, string reservationId, BudgetAmount actual, CancellationToken ct = default)
    {
        if (!actual.IsValid)
        {
            throw new ArgumentOutOfRangeException(nameof(actual), "Spending cannot be negative.");
        }
        lock (_gate)
        {
            var state = Get(account);
            if (!state.Open.Remove(reservationId, out var held))
            {
                return ValueTask.FromResult(false);
            }
            state.Reserved -= held;
            state.Used += actual;
            state.Closed.Add(reservationId);
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<bool> ReleaseAsync(string account, string reservationId, CancellationToken ct = default) =>
        SettleAsync(account, reservationId, BudgetAmount.Zero, ct);

    public ValueTask<BudgetSnapshot> GetAsync(string account, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var state = Get(account);
            return ValueTask.FromResult(new BudgetSnapshot(state.Limits, state.Used, state.Reserved, state.Open.Count));
        }
    }

    private Account Get(string account) =>
        _accounts.TryGetValue(account, out var state) ? state : throw new KeyNotFoundException($"Budget account '{account}' is not open.");

    private sealed class Account(BudgetLimits limits)
    {
        public BudgetLimits Limits { get; set; } = limits;

        public BudgetAmount Used { get; set; }

        public BudgetAmount Reserved { get; set; }

        public Dictionary<string, BudgetAmount> Open { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Closed { get; } = new(StringComparer.Ordinal);
    }
}
