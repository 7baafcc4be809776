using ActiveSynth.Core.Budgets;

namespace ActiveSynth.Core.Tests;

public sealed class BudgetLedgerTests
{
    [Fact]
    public async Task Concurrent_callers_never_overshoot()
    {
        var ledger = new InMemoryBudgetLedger();
        await ledger.OpenAsync("run", new BudgetLimits(MaxTeacherTokens: 10_000, MaxCostUsd: 1.0));
        var spent = 0L;
        await Parallel.ForEachAsync(Enumerable.Range(0, 2000), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var reserved = await ledger.TryReserveAsync("run", $"r{i}", new BudgetAmount(1, 1, 30, 0.003), ct);
            if (reserved.Succeeded)
            {
                var snapshot = await ledger.GetAsync("run", ct);
                Assert.True(snapshot.Used.TeacherTokens + snapshot.Reserved.TeacherTokens <= 10_000);
                await ledger.SettleAsync("run", $"r{i}", new BudgetAmount(1, 1, 20 + (i % 10), 0.002), ct);
                Interlocked.Increment(ref spent);
            }
        });
        var final = await ledger.GetAsync("run");
        Assert.True(final.Used.TeacherTokens <= 10_000);
        Assert.True(final.Used.CostUsd <= 1.0 + 1e-9);
        Assert.Equal(BudgetAmount.Zero, final.Reserved);
        Assert.True(spent > 300, "the budget should have paid for hundreds of calls");
    }

    [Fact]
    public async Task Reservation_and_settlement_are_idempotent_by_id()
    {
        var ledger = new InMemoryBudgetLedger();
        await ledger.OpenAsync("run", new BudgetLimits(MaxSamples: 2));
        var first = await ledger.TryReserveAsync("run", "a", new BudgetAmount(1, 0, 0, 0));
        var again = await ledger.TryReserveAsync("run", "a", new BudgetAmount(1, 0, 0, 0));
        Assert.Equal(first.Reservation, again.Reservation);
        Assert.Equal(1, (await ledger.GetAsync("run")).Reserved.Samples);
        Assert.True(await ledger.SettleAsync("run", "a", new BudgetAmount(1, 0, 0, 0)));
        Assert.False(await ledger.SettleAsync("run", "a", new BudgetAmount(1, 0, 0, 0)));
        Assert.False((await ledger.TryReserveAsync("run", "a", new BudgetAmount(1, 0, 0, 0))).Succeeded);
        Assert.Equal(1, (await ledger.GetAsync("run")).Used.Samples);
    }

    [Fact]
    public async Task A_refused_reservation_names_the_dimension_and_release_frees_it()
    {
        var ledger = new InMemoryBudgetLedger();
        await ledger.OpenAsync("run", new BudgetLimits(MaxTeacherCalls: 2));
        Assert.True((await ledger.TryReserveAsync("run", "a", new BudgetAmount(0, 2, 0, 0))).Succeeded);
        var refused = await ledger.TryReserveAsync("run", "b", new BudgetAmount(0, 1, 0, 0));
        Assert.Equal("teacher_calls", refused.BlockedBy);
        Assert.Equal("teacher_calls", (await ledger.GetAsync("run")).ExhaustedBy);
        Assert.True(await ledger.ReleaseAsync("run", "a"));
        Assert.True((await ledger.TryReserveAsync("run", "b", new BudgetAmount(0, 1, 0, 0))).Succeeded);
        await Assert.ThrowsAsync<KeyNotFoundException>(async () => await ledger.TryReserveAsync("nope", "x", BudgetAmount.Zero));
    }
}
