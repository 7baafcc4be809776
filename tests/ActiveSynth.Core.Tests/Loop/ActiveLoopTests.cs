using ActiveSynth.Core.Budgets;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Tasks;

namespace ActiveSynth.Core.Tests.Loop;

public sealed class ActiveLoopTests
{
    private static readonly List<TaskItem> Seeds = [.. Enumerable.Range(0, 40).Select(i =>
        new TaskItem($"seed{i}", i % 2 == 0 ? "copy" : "rev", 1 + i % 4, $"q{i}", $"a\n#### {i}"))];

    private static LoopSettings Settings(string strategy = "loss-high", int m = 4, BudgetLimits? budget = null, int maxRounds = 0,
        LoopMode mode = LoopMode.SeedSelection) => new()
    {
        Strategy = strategy,
        SamplesPerRound = m,
        Budget = budget ?? BudgetLimits.Unlimited,
        MaxRounds = maxRounds,
        Mode = mode,
        OvergenerateFactor = 3,
        RandomSeed = 42,
        GenerationReservation = new BudgetAmount(1, 2, 150, 0.002),
        JudgeReservation = new BudgetAmount(0, 1, 75, 0.001),
    };

    private static LoopState NewState() => new() { RunId = "run1", Seeds = [.. Seeds] };

    private static Task RunAsync(LoopSettings settings, ILoopWorkers workers, IRunObserver observer, LoopState state, CancellationToken ct = default) =>
        new ActiveLoop(settings, StrategyRegistry.Create(settings.Strategy, settings.StrategyOptions), workers, observer).RunAsync(state, ct);

    [Fact]
    public async Task Three_rounds_give_a_curve_point_per_round_and_m_samples_each()
    {
        var workers = new ScriptedWorkers();
        var observer = new RecordingObserver();
        var state = NewState();

        await RunAsync(Settings(maxRounds: 3), workers, observer, state);

        Assert.Equal(RunStatus.Completed, state.Status);
        Assert.Equal("max_rounds", state.StopReason);
        Assert.Equal([0, 1, 2, 3], state.Curve.Select(p => p.Round));
        Assert.Equal(12, state.Samples.Count);
        Assert.Equal([4, 8, 12], workers.TrainedSampleCounts.Order());
        Assert.Equal(12, state.Spent.Samples);
        Assert.Equal(12 * 100, state.Spent.TeacherTokens);
        Assert.Equal(state.Curve, observer.Points);
    }

    [Fact]
    public async Task A_repeated_question_is_dropped_in_slot_order_whichever_call_finished_first()
    {
        // Overgenerate draws seeds with replacement, so slots share seeds; the scripted teacher then writes equal questions.
        // The lower slots are slowed down: a first-come rule would keep the higher slot of each pair.
        var settings = Settings(strategy: "random", m: 4, maxRounds: 1, mode: LoopMode.Overgenerate) with { OvergenerateFactor = 10 };
        var slow = Enumerable.Range(0, 20).ToHashSet();
        var workers = new ScriptedWorkers { RepeatQuestions = true, SlowSlots = slow };
        var state = NewState();

        await RunAsync(settings, workers, new RecordingObserver(), state);

        var duplicates = state.Drops.Where(d => d.Reason == ActiveLoop.DuplicateOfSample).ToList();
        Assert.NotEmpty(duplicates);
        var kept = state.Candidates.Select(c => c.Item).ToList();
        Assert.Equal(kept.Count, kept.Select(k => k.Question).Distinct().Count());
        foreach (var group in state.Generated.Values.Where(g => g.Sample is not null).GroupBy(g => g.Sample!.Item.Question))
        {
            // The survivor of each question is its lowest slot.
            var lowest = group.Min(g => int.Parse(g.Sample!.Item.Id.Split('-')[2], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal($"s-1-{lowest}", kept.Single(k => k.Question == group.Key).Id);
        }
        Assert.Equal(40 - duplicates.Count, kept.Count);
    }

    [Fact]
    public async Task Rounds_that_keep_nothing_fail_the_run_instead_of_repeating_for_ever()
    {
        // loss-high picks the same seeds every round and the teacher repeats its questions: from round 2 on, all are duplicates.
        var workers = new ScriptedWorkers { RepeatQuestions = true };
        var state = NewState();

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => RunAsync(Settings(m: 4, budget: new BudgetLimits(MaxSamples: 100)), workers, new RecordingObserver(), state));

        Assert.Equal(RunStatus.Failed, state.Status);
        Assert.Contains($"{ActiveLoop.RoundsWithoutProgress} rounds in a row kept no sample", state.FailureReason);
        Assert.Contains(ActiveLoop.DuplicateOfSample, state.FailureReason);
        Assert.Equal(4, state.Samples.Count);
        Assert.Equal(1 + ActiveLoop.RoundsWithoutProgress, state.Round);
    }

    [Fact]
    public async Task A_teacher_that_fails_every_generation_of_a_round_fails_the_run_instead_of_looping_for_ever()
    {
        var workers = new ScriptedWorkers { TeacherDown = true };
        var state = NewState();

        var error = await Assert.ThrowsAsync<TeacherUnavailableException>(
            () => RunAsync(Settings(strategy: "random", m: 4, budget: new BudgetLimits(MaxSamples: 8)), workers, new RecordingObserver(), state));

        Assert.Equal(RunStatus.Failed, state.Status);
        Assert.Contains("the teacher failed all 4 generations of the round (http 500)", state.FailureReason);
        Assert.Contains("budget cannot be met", state.FailureReason);
        Assert.Equal(0, state.Spent.Samples);
        Assert.Equal(4, workers.GenerateCalls.Count);
        Assert.Equal(4, state.Drops.Count);
        Assert.EndsWith(error.Message, state.FailureReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DROP_REASON_TEACHER_ERROR", true)]
    [InlineData("TeacherError", true)]
    [InlineData("teacher_error", true)]
    [InlineData("DROP_REASON_EMPTY", false)]
    [InlineData("no_final_answer", false)]
    [InlineData(null, false)]
    public void Teacher_errors_are_recognised_in_every_spelling_workers_use(string? reason, bool expected) =>
        Assert.Equal(expected, TeacherUnavailableException.IsTeacherError(reason));

    [Fact]
    public async Task Loss_high_picks_the_hardest_seeds_and_records_the_selection()
    {
        var state = NewState();
        await RunAsync(Settings(maxRounds: 1, m: 10), new ScriptedWorkers(), new RecordingObserver(), state);

        var selection = Assert.Single(state.Selections);
        Assert.Equal(10, selection.ByDifficulty[4]);
        Assert.All(state.Samples, s => Assert.Equal(4, s.Item.Difficulty));
        Assert.Equal(10, state.Samples.Select(s => s.SeedId).Distinct().Count());
    }

    [Fact]
    public async Task The_sample_budget_is_met_exactly_and_never_passed()
    {
        var state = NewState();
        await RunAsync(Settings(m: 4, budget: new BudgetLimits(MaxSamples: 10)), new ScriptedWorkers(), new RecordingObserver(), state);

        Assert.Equal(10, state.Samples.Count);
        Assert.Equal("samples", state.StopReason);
        Assert.Equal([4, 4, 2], state.Selections.Select(s => s.Picks));
    }

    [Fact]
    public async Task A_round_travels_as_chunks_named_by_their_slots_not_as_one_request_per_sample()
    {
        var workers = new ScriptedWorkers();
        var state = NewState();
        var settings = Settings(strategy: "random", m: 16, maxRounds: 1) with { GenerationChunkSize = 4, GenerationParallelism = 8 };

        await RunAsync(settings, workers, new RecordingObserver(), state);

        string[] chunks = ["run1/1/generate/0-3x4", "run1/1/generate/4-7x4", "run1/1/generate/8-11x4", "run1/1/generate/12-15x4"];
        Assert.Equal(chunks.Order(StringComparer.Ordinal), workers.Chunks.Order(StringComparer.Ordinal));
        Assert.Equal(16, state.Samples.Count);
        Assert.Equal(Enumerable.Range(0, 16).Select(slot => $"s-1-{slot}"), state.Samples.Select(s => s.Item.Id));
    }

    [Fact]
    public async Task The_teacher_token_budget_is_never_overshot_with_parallel_calls()
    {
        var workers = new ScriptedWorkers { TokensPerGeneration = 100, GenerationDelay = TimeSpan.FromMilliseconds(5) };
        var state = NewState();
        var settings = Settings(m: 16, budget: new BudgetLimits(MaxTeacherTokens: 2_050)) with { GenerationParallelism = 8 };

        await RunAsync(settings, workers, new RecordingObserver(), state);

        Assert.True(state.Spent.TeacherTokens <= 2_050, $"spent {state.Spent.TeacherTokens} tokens");
        Assert.True(state.Spent.TeacherTokens >= 2_050 - 150, "stopped well before the budget");
        Assert.True(workers.MaxInFlight > 1, "generation never ran in parallel");
        Assert.Equal("teacher_tokens", state.StopReason);
    }

    [Fact]
    public async Task Drops_are_recorded_with_their_reason_and_still_paid_for()
    {
        var state = NewState();
        await RunAsync(Settings(m: 6, maxRounds: 2), new ScriptedWorkers { DropEvery = 3 }, new RecordingObserver(), state);

        Assert.Equal(4, state.Drops.Count);
        Assert.All(state.Drops, d => Assert.Equal("no_final_answer", d.Reason));
        Assert.Equal(8, state.Samples.Count);
        Assert.Equal(12 * 100, state.Spent.TeacherTokens);
        Assert.Equal(8, state.Spent.Samples);
    }

    [Fact]
    public async Task An_interruption_of_its_infrastructure_does_not_fail_the_run_and_it_resumes_from_its_last_save()
    {
        var reference = NewState();
        await RunAsync(Settings(maxRounds: 3), new ScriptedWorkers(), new RecordingObserver(), reference);

        var interrupted = new RecordingObserver { CrashAfterSave = 6 };
        var workers = new ScriptedWorkers();
        var settings = Settings(maxRounds: 3);
        var loop = new ActiveLoop(settings, StrategyRegistry.Create(settings.Strategy, settings.StrategyOptions), workers, interrupted,
            isInterruption: ex => ex is SimulatedCrashException);
        await Assert.ThrowsAsync<SimulatedCrashException>(() => loop.RunAsync(NewState(), CancellationToken.None));
        var saved = LoopStateJson.Deserialize(interrupted.LastSavedJson!);
        Assert.Equal(RunStatus.Running, saved.Status); // not failed, and nothing saved after the interruption

        await RunAsync(settings, workers, new RecordingObserver(), saved);

        Assert.Equal(RunStatus.Completed, saved.Status);
        Assert.Equal(reference.Samples.Select(s => (s.SeedId, s.Round)), saved.Samples.Select(s => (s.SeedId, s.Round)));
        Assert.Equal(reference.Spent, saved.Spent);
        Assert.All(workers.GenerateCalls.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task A_run_resumed_after_a_crash_finishes_with_the_same_samples_and_pays_once()
    {
        var reference = NewState();
        await RunAsync(Settings(maxRounds: 3), new ScriptedWorkers(), new RecordingObserver(), reference);

        // Crash right after the 6th durable save (round 2, mid-loop), then resume from what was saved.
        var crashing = new RecordingObserver { CrashAfterSave = 6 };
        var workers = new ScriptedWorkers();
        await Assert.ThrowsAsync<SimulatedCrashException>(() => RunAsync(Settings(maxRounds: 3), workers, crashing, NewState()));
        var saved = LoopStateJson.Deserialize(crashing.LastSavedJson!);
        Assert.Equal(RunStatus.Failed, saved.Status);
        saved.Status = RunStatus.Running; // what ResumeRun does

        await RunAsync(Settings(maxRounds: 3), workers, new RecordingObserver(), saved);

        Assert.Equal(RunStatus.Completed, saved.Status);
        Assert.Equal(reference.Samples.Select(s => (s.SeedId, s.Round)), saved.Samples.Select(s => (s.SeedId, s.Round)));
        Assert.Equal(reference.Spent, saved.Spent);
        Assert.All(workers.GenerateCalls.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task Cancelling_stops_the_run_and_saves_what_it_has()
    {
        using var cts = new CancellationTokenSource();
        var observer = new CancellingObserver(cts, afterCurvePoints: 2);
        var state = NewState();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunAsync(Settings(maxRounds: 10), new ScriptedWorkers(), observer, state, cts.Token));

        Assert.Equal(RunStatus.Cancelled, state.Status);
        Assert.Equal(2, state.Curve.Count);
        Assert.Equal(RunStatus.Cancelled, LoopStateJson.Deserialize(observer.Inner.LastSavedJson!).Status);
    }

    [Fact]
    public async Task Overgenerate_writes_k_times_m_candidates_and_keeps_m()
    {
        var workers = new ScriptedWorkers();
        var state = NewState();
        await RunAsync(Settings(m: 2, maxRounds: 2, mode: LoopMode.Overgenerate), workers, new RecordingObserver(), state);

        Assert.Equal(2 * 3 * 2, workers.GenerateCalls.Count);
        Assert.Equal(4, state.Samples.Count);
        Assert.Equal(4, state.Spent.Samples);
        Assert.Equal(12 * 100, state.Spent.TeacherTokens);
    }

    [Fact]
    public void Invalid_settings_name_their_field()
    {
        var errors = (Settings(m: 0) with { Mode = LoopMode.Overgenerate, OvergenerateFactor = 1 }).Validate();

        Assert.Contains(errors, e => e.Field == "samples_per_round");
        Assert.Contains(errors, e => e.Field == "overgenerate_factor");
        Assert.Contains(errors, e => e.Field == "budget"); // no limit and no max_rounds: the run would never end
    }

    private sealed class CancellingObserver(CancellationTokenSource cts, int afterCurvePoints) : IRunObserver
    {
        public RecordingObserver Inner { get; } = new();

        public Task SaveAsync(LoopState state, CancellationToken ct) => Inner.SaveAsync(state, ct);

        public Task StageCompletedAsync(LoopState state, LoopStage stage, TimeSpan duration, CancellationToken ct) => Inner.StageCompletedAsync(state, stage, duration, ct);

        public async Task CurvePointAsync(LoopState state, CurvePoint point, CancellationToken ct)
        {
            await Inner.CurvePointAsync(state, point, ct);
            if (Inner.Points.Count == afterCurvePoints)
            {
                await cts.CancelAsync();
            }
        }
    }
}
