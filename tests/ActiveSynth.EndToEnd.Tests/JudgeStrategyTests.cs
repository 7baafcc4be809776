using ActiveSynth.Cli.Local;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using Grpc.Core;

namespace ActiveSynth.EndToEnd.Tests;

/// <summary>
/// The strategies that need the teacher as a judge (judge-hard, lion: the difficulty of each question; reward-low: the correctness
/// of the student's own answer) run through the deployment: the loop asks the Teacher service for ratings on
/// activesynth:judge:requests, picks by them, and counts every judge call against the run's budget.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class JudgeStrategyTests(AppHostFixture fixture) : IDisposable
{
    private const int Pool = 40;
    private const int Rounds = 2;
    private const int PerRound = 8;
    private const int RatedPerRound = 2 * PerRound; // k·m seeds, k = 2 in seed mode (ActiveLoop.SeedsToRate)
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"activesynth-judge-{Guid.NewGuid():N}");

    private Runs.RunsClient Runs => new(fixture.Channel("selection"));

    [Theory]
    [InlineData("judge-hard", 6101)]
    [InlineData("lion", 6102)]
    [InlineData("reward-low", 6103)]
    public async Task A_judge_strategy_completes_through_the_services_picking_by_the_judges_ratings_and_paying_for_them(string strategy, int seed)
    {
        var spec = Spec(strategy, seed);
        var runId = $"judge-{strategy}-{Guid.NewGuid():N}"[..24];
        await Runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = spec }, deadline: DateTime.UtcNow.AddSeconds(60));
        var picks = await PicksUntilFinishedAsync(runId, TimeSpan.FromMinutes(6));
        var run = await Runs.GetRunAsync(new GetRunRequest { RunId = runId }, deadline: DateTime.UtcNow.AddSeconds(15));

        Assert.True(run.State == RunState.Completed, $"{strategy} ended {run.State}: {run.FailureReason}");
        Assert.Equal(Rounds, run.Curve.Count(p => p.Round > 0));
        Assert.Equal([1, 2], picks.Keys.Order());
        foreach (var (_, ranked) in picks)
        {
            Assert.Equal(PerRound, ranked.Count);
            Assert.All(ranked, p => Assert.InRange(p.Score, 0.0, 1.0));
            var scores = ranked.Select(p => p.Score).ToList();
            switch (strategy)
            {
                case "judge-hard":
                    Assert.Equal(scores.OrderDescending(), scores); // hardest first
                    break;
                case "reward-low":
                    Assert.Equal(scores.Order(), scores); // lowest reward first
                    break;
            }
        }
        if (strategy != "reward-low")
        {
            // Parsed ratings, not the 0.5 an unreadable verdict gets.
            Assert.Contains(picks.Values.SelectMany(p => p), p => p.Score != 0.5);
        }
        // k·m seeds of the pool are rated each round (k = 2 in seed mode), and every rating is paid for on top of generation's
        // 2 calls a sample.
        Assert.True(run.Usage.TeacherCalls >= Rounds * RatedPerRound + run.Usage.SamplesKept * 2,
            $"{run.Usage.TeacherCalls} teacher calls counted; the judge alone made {Rounds * RatedPerRound}, generation {run.Usage.SamplesKept * 2}");
    }

    [Fact]
    public async Task A_judge_strategy_under_a_token_budget_ends_at_it_never_past_it()
    {
        const long budget = 15_000; // about three rounds of 16 ratings and 8 samples
        var spec = Spec("judge-hard", 6105);
        spec.MaxRounds = 0;
        spec.Budget = new Budget { MaxTeacherTokens = budget };
        var runId = $"judge-budget-{Guid.NewGuid():N}"[..24];
        await Runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = spec }, deadline: DateTime.UtcNow.AddSeconds(60));
        await PicksUntilFinishedAsync(runId, TimeSpan.FromMinutes(6));
        var run = await Runs.GetRunAsync(new GetRunRequest { RunId = runId }, deadline: DateTime.UtcNow.AddSeconds(15));

        Assert.True(run.State == RunState.Completed, $"ended {run.State}: {run.FailureReason}");
        Assert.Equal("teacher_tokens", run.StopReason);
        Assert.True(run.Usage.TeacherTokens <= budget, $"{run.Usage.TeacherTokens} tokens spent of {budget}");
        // It stopped for want of budget, not early: less than a sample's and a rating's reservation was left.
        var plan = RunPlan.Reservation(spec, new RunPlanOptions()).TeacherTokens + RunPlan.JudgeReservation(spec, new RunPlanOptions()).TeacherTokens;
        Assert.True(run.Usage.TeacherTokens > budget - plan, $"only {run.Usage.TeacherTokens} tokens spent of {budget}");
        Assert.True(run.Curve.Count(p => p.Round > 0) >= 2, "fewer than two rounds trained");
    }

    [Fact]
    public async Task Reward_low_picks_the_same_seeds_in_process_as_through_the_services()
    {
        var spec = Spec("reward-low", 6104);
        var runId = $"judge-same-{Guid.NewGuid():N}"[..22];
        await Runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = spec }, deadline: DateTime.UtcNow.AddSeconds(60));
        var servicePicks = await PicksUntilFinishedAsync(runId, TimeSpan.FromMinutes(6));

        // The deployment's Training:BaseSteps (AppHostFixture), so the in-process base is pretrained the same way.
        using var engine = new InProcessEngine(_dir, [new("Student:Threads", "1"), new("Training:BaseSteps", "150")]);
        var recorder = new PickRecorder();
        var local = await engine.RunAsync(runId, spec, recorder, CancellationToken.None);

        Assert.Equal(RunStatus.Completed, local.Status);
        foreach (var (round, ranked) in servicePicks)
        {
            Assert.Equal(ranked.Select(p => (p.ItemId, p.Score)), recorder.ByRound[round]);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static RunSpec Spec(string strategy, int seed)
    {
        var spec = EmbeddedRecipe.Spec(strategy, randomSeed: seed, samplesPerRound: PerRound, maxRounds: Rounds, seedPoolSize: Pool, testSetSize: 24);
        spec.Training.Steps = 5;
        return spec;
    }

    private async Task<Dictionary<int, List<Pick>>> PicksUntilFinishedAsync(string runId, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var picks = new Dictionary<int, List<Pick>>();
        using var call = Runs.WatchRun(new WatchRunRequest { RunId = runId, FromStart = true }, cancellationToken: cts.Token);
        await foreach (var e in call.ResponseStream.ReadAllAsync(cts.Token))
        {
            if (e.KindCase == RunEvent.KindOneofCase.SelectionMade)
            {
                picks[e.Round] = [.. e.SelectionMade.Picks.OrderBy(p => p.Rank)];
            }
            if (e.KindCase == RunEvent.KindOneofCase.RunFinished)
            {
                break;
            }
        }
        return picks;
    }

    private sealed class PickRecorder : IRunObserver
    {
        public Dictionary<int, List<(string, double)>> ByRound { get; } = [];

        public Task SaveAsync(LoopState state, CancellationToken ct) => Task.CompletedTask;

        public Task StageCompletedAsync(LoopState state, LoopStage stage, TimeSpan duration, CancellationToken ct)
        {
            if (stage == LoopStage.Score)
            {
                ByRound[state.Round] = [.. state.Picks.Select(p => (p.Id, p.Score))];
            }
            return Task.CompletedTask;
        }

        public Task CurvePointAsync(LoopState state, CurvePoint point, CancellationToken ct) => Task.CompletedTask;
    }
}
