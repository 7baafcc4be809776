using ActiveSynth.Core.Budgets;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Tasks;

namespace ActiveSynth.Core.Tests.Loop;

/// <summary>
/// <c>static</c> (static generation) through the same loop: it writes exactly the samples <c>random</c> writes with the same seed
/// and budget, but trains only after the last of them, for as many rounds as generation took. So <c>random</c>, even with the
/// optimizer kept across rounds, is not the same experiment: its round r trains on the first r rounds' samples only.
/// </summary>
public sealed class StaticGenerationTests
{
    private static readonly List<TaskItem> Seeds = [.. Enumerable.Range(0, 40).Select(i =>
        new TaskItem($"seed{i}", i % 2 == 0 ? "copy" : "rev", 1 + i % 4, $"q{i}", $"a\n#### {i}"))];

    // 100 tokens a generation and 150 reserved: rounds of 4 cost 400, and the third round can afford 2 (1,000 of 1,050); in
    // overgenerate mode rounds of 12 candidates cost 1,200, and the third is partial too.
    private static LoopSettings Settings(string strategy, LoopMode mode = LoopMode.SeedSelection, int maxRounds = 0) => new()
    {
        Strategy = strategy,
        SamplesPerRound = 4,
        Budget = maxRounds > 0 ? BudgetLimits.Unlimited : new BudgetLimits(MaxTeacherTokens: mode == LoopMode.Overgenerate ? 3_050 : 1_050),
        MaxRounds = maxRounds,
        Mode = mode,
        OvergenerateFactor = 3,
        RandomSeed = 42,
        GenerationReservation = new BudgetAmount(1, 2, 150, 0.002),
        JudgeReservation = new BudgetAmount(0, 1, 75, 0.001),
    };

    private static LoopState NewState() => new() { RunId = "run1", Seeds = [.. Seeds] };

    private static async Task<(LoopState State, ScriptedWorkers Workers)> RunAsync(LoopSettings settings, IRunObserver? observer = null)
    {
        var workers = new ScriptedWorkers();
        var state = NewState();
        await new ActiveLoop(settings, StrategyRegistry.Create(settings.Strategy), workers, observer ?? new RecordingObserver()).RunAsync(state, CancellationToken.None);
        return (state, workers);
    }

    [Theory]
    [InlineData(LoopMode.SeedSelection)]
    [InlineData(LoopMode.Overgenerate)]
    public async Task Static_writes_the_samples_random_writes_then_trains_on_all_of_them_as_many_rounds(LoopMode mode)
    {
        var (random, randomWorkers) = await RunAsync(Settings("random", mode));
        var (staticRun, staticWorkers) = await RunAsync(Settings("static", mode));

        Assert.Equal(RunStatus.Completed, staticRun.Status);
        Assert.Equal("teacher_tokens", staticRun.StopReason);
        Assert.Equal(random.StopReason, staticRun.StopReason);
        Assert.Equal(random.Samples.Select(s => (s.Item.Id, s.Item.Question, s.SeedId, s.Round)),
            staticRun.Samples.Select(s => (s.Item.Id, s.Item.Question, s.SeedId, s.Round)));
        Assert.Equal(random.Spent, staticRun.Spent);
        Assert.Equal(randomWorkers.Chunks.Order(StringComparer.Ordinal), staticWorkers.Chunks.Order(StringComparer.Ordinal));

        // The same number of training rounds (so of steps), each on every sample, and none before the last generation.
        var rounds = random.Curve.Count - 1;
        Assert.True(rounds >= 3, $"only {rounds} rounds: the test would prove little");
        Assert.Equal(staticRun.Samples.Max(s => s.Round), staticRun.GenerationRounds);
        Assert.Equal(rounds, staticRun.GenerationRounds);
        Assert.Equal(Enumerable.Range(0, rounds + 1), staticRun.Curve.Select(p => p.Round));
        var calls = staticWorkers.Calls.ToList();
        var trains = calls.Where(c => c.StartsWith("train ", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(1, rounds).Select(r => $"train run1/{r}/train {staticRun.Samples.Count}"), trains);
        Assert.True(calls.FindLastIndex(c => c.StartsWith("generate ", StringComparison.Ordinal)) < calls.FindIndex(c => c.StartsWith("train ", StringComparison.Ordinal)),
            "static trained before its last generation: " + string.Join("; ", calls));
        Assert.All(staticRun.Curve.Skip(1), p => Assert.Equal((staticRun.Spent.Samples, staticRun.Spent.TeacherTokens), (p.Samples, p.TeacherTokens)));

        // Random, optimizer kept or not, trains round r on the first r rounds' samples: a different experiment.
        var randomTrains = randomWorkers.Calls.Where(c => c.StartsWith("train ", StringComparison.Ordinal)).Select(c => int.Parse(c.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(rounds, randomTrains.Count);
        Assert.True(randomTrains[0] < staticRun.Samples.Count, $"random's first round trained on {randomTrains[0]} samples, all {staticRun.Samples.Count}");
    }

    [Fact]
    public async Task Static_with_max_rounds_generates_that_many_rounds_then_trains_as_many()
    {
        var (run, workers) = await RunAsync(Settings("static", maxRounds: 2));

        Assert.Equal("max_rounds", run.StopReason);
        Assert.Equal(2, run.GenerationRounds);
        Assert.Equal(8, run.Samples.Count);
        Assert.Equal([8, 8], workers.TrainedSampleCounts);
        Assert.Equal([0, 1, 2], run.Curve.Select(p => p.Round));
    }

    [Fact]
    public async Task A_static_run_interrupted_in_its_training_rounds_resumes_from_its_last_save_and_ends_the_same()
    {
        var (reference, _) = await RunAsync(Settings("static"));

        // Saves: base, round 0 done, then score/generate/done per generation round (3 rounds), the switch, train 1, done 1: the 14th
        // save is in the training rounds.
        var interrupted = new RecordingObserver { CrashAfterSave = 14 };
        var workers = new ScriptedWorkers();
        var settings = Settings("static");
        var loop = new ActiveLoop(settings, StrategyRegistry.Create("static"), workers, interrupted, isInterruption: ex => ex is SimulatedCrashException);
        await Assert.ThrowsAsync<SimulatedCrashException>(() => loop.RunAsync(NewState(), CancellationToken.None));
        var saved = LoopStateJson.Deserialize(interrupted.LastSavedJson!);
        Assert.Equal(reference.GenerationRounds, saved.GenerationRounds);
        Assert.Equal(RunStatus.Running, saved.Status);
        Assert.InRange(saved.Curve.Count, 2, reference.Curve.Count - 1);

        await new ActiveLoop(settings, StrategyRegistry.Create("static"), workers, new RecordingObserver()).RunAsync(saved, CancellationToken.None);

        Assert.Equal(RunStatus.Completed, saved.Status);
        Assert.Equal(reference.StopReason, saved.StopReason);
        Assert.Equal(reference.Curve.Select(p => (p.Round, p.Samples, p.TeacherTokens)), saved.Curve.Select(p => (p.Round, p.Samples, p.TeacherTokens)));
        Assert.All(workers.GenerateCalls.Values, n => Assert.Equal(1, n));
    }
}
