using ActiveSynth.Core.Budgets;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Tasks;

namespace ActiveSynth.Core.Tests.Loop;

/// <summary>
/// Strategies the teacher rates for (judge-hard, lion, reward-low) pay for their ratings out of the run's budget: in seed mode they
/// rate k·m seeds a round, not the whole pool, and each rating is reserved before it is asked for, so the run ends at the budget,
/// never past it.
/// </summary>
public sealed class JudgeBudgetTests
{
    private const int Pool = 40;
    private const int PerRound = 4;
    private const int Factor = 3;

    private static readonly List<TaskItem> Seeds = [.. Enumerable.Range(0, Pool).Select(i =>
        new TaskItem($"seed{i}", i % 2 == 0 ? "copy" : "rev", 1 + i % 4, $"q{i}", $"a\n#### {i}"))];

    private static LoopSettings Settings(string strategy, BudgetLimits budget, int maxRounds = 0, LoopMode mode = LoopMode.SeedSelection,
        long seed = 42) => new()
    {
        Strategy = strategy,
        SamplesPerRound = PerRound,
        Budget = budget,
        MaxRounds = maxRounds,
        Mode = mode,
        OvergenerateFactor = Factor,
        RandomSeed = seed,
        GenerationReservation = new BudgetAmount(1, 2, 150, 0),
        JudgeReservation = new BudgetAmount(0, 1, 75, 0),
    };

    private static async Task<LoopState> RunAsync(LoopSettings settings, ScriptedWorkers workers)
    {
        var state = new LoopState { RunId = "run1", Seeds = [.. Seeds] };
        await new ActiveLoop(settings, StrategyRegistry.Create(settings.Strategy, settings.StrategyOptions), workers, new RecordingObserver())
            .RunAsync(state, CancellationToken.None);
        return state;
    }

    [Fact]
    public async Task In_seed_mode_a_judge_strategy_rates_k_times_m_seeds_a_round_drawn_by_the_runs_seed()
    {
        var workers = new ScriptedWorkers();
        var state = await RunAsync(Settings("judge-hard", BudgetLimits.Unlimited, maxRounds: 3), workers);
        var again = new ScriptedWorkers();
        await RunAsync(Settings("judge-hard", BudgetLimits.Unlimited, maxRounds: 3), again);
        var other = new ScriptedWorkers();
        await RunAsync(Settings("judge-hard", BudgetLimits.Unlimited, maxRounds: 3, seed: 7), other);

        Assert.Equal(RunStatus.Completed, state.Status);
        var rated = Enumerable.Range(1, 3).Select(r => workers.Rated[$"run1/{r}/score"]).ToList();
        Assert.All(rated, ids => Assert.Equal(Factor * PerRound, ids.Distinct().Count()));
        Assert.NotEqual(rated[0], rated[1]); // a new draw each round
        Assert.Equal(rated, Enumerable.Range(1, 3).Select(r => again.Rated[$"run1/{r}/score"]));
        Assert.NotEqual(rated[0], other.Rated["run1/1/score"]);
        // Every pick is one of the round's rated seeds: the hardest of them.
        foreach (var round in Enumerable.Range(1, 3))
        {
            var picked = state.Samples.Where(s => s.Round == round).Select(s => s.SeedId).ToList();
            Assert.Equal(PerRound, picked.Count);
            Assert.All(picked, id => Assert.Contains(id, rated[round - 1]));
            var hardestRated = rated[round - 1].Select(id => Seeds.Single(s => s.Id == id).Difficulty).OrderDescending().Take(PerRound);
            Assert.Equal(hardestRated, picked.Select(id => Seeds.Single(s => s.Id == id).Difficulty).OrderDescending());
        }
        // 12 ratings a round at 40 tokens, 4 samples at 100.
        Assert.Equal(3 * (Factor * PerRound * 40 + PerRound * 100), state.Spent.TeacherTokens);
    }

    [Fact]
    public async Task A_strategy_the_teacher_does_not_rate_for_still_scores_the_whole_pool()
    {
        var workers = new ScriptedWorkers();
        var state = await RunAsync(Settings("loss-high", BudgetLimits.Unlimited, maxRounds: 1), workers);

        Assert.Empty(workers.Rated);
        Assert.All(state.Samples, s => Assert.Equal(4, s.Item.Difficulty)); // the hardest of all 40, not of a subset
    }

    [Theory]
    [InlineData("judge-hard", LoopMode.SeedSelection, 3_000)]
    [InlineData("lion", LoopMode.SeedSelection, 2_345)]
    [InlineData("reward-low", LoopMode.SeedSelection, 5_010)]
    [InlineData("judge-hard", LoopMode.Overgenerate, 4_321)]
    public async Task A_judge_strategy_ends_at_the_token_budget_and_never_passes_it(string strategy, LoopMode mode, long budget)
    {
        var workers = new ScriptedWorkers();
        var state = await RunAsync(Settings(strategy, new BudgetLimits(MaxTeacherTokens: budget), mode: mode), workers);

        Assert.Equal(RunStatus.Completed, state.Status);
        Assert.Equal("teacher_tokens", state.StopReason);
        Assert.True(state.Spent.TeacherTokens <= budget, $"spent {state.Spent.TeacherTokens} of {budget} tokens");
        // It stops for want of budget, not early: less than one sample's reservation and a chunk's ratings is left.
        Assert.True(state.Spent.TeacherTokens > budget - 150 - 5 * 75, $"spent only {state.Spent.TeacherTokens} of {budget} tokens");
        Assert.True(state.Curve.Count(p => p.Round > 0) >= 2, "fewer than two rounds trained");
    }

    [Fact]
    public async Task When_the_budget_pays_for_fewer_ratings_than_wanted_the_strategy_picks_among_those_rated()
    {
        // Round 1: 12 ratings (480) and 4 samples (400); round 2 can reserve 75 a rating for only part of its 12.
        var workers = new ScriptedWorkers();
        var state = await RunAsync(Settings("judge-hard", new BudgetLimits(MaxTeacherTokens: 1_400)), workers);

        var second = workers.Rated["run1/2/score"];
        Assert.InRange(second.Count, 1, Factor * PerRound - 1);
        Assert.All(state.Samples.Where(s => s.Round == 2), s => Assert.Contains(s.SeedId, second));
        Assert.True(state.Spent.TeacherTokens <= 1_400, $"spent {state.Spent.TeacherTokens}");
    }
}
