using System.Diagnostics;
using ActiveSynth.Core.Budgets;
using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Tasks;

namespace ActiveSynth.Core.Loop;

/// <summary>
/// The closed loop of docs/architecture.md, "The loop": score, select, generate, train + evaluate, repeat until a budget or
/// max_rounds is reached. It is a state machine over <see cref="LoopState"/>: every stage ends with a durable save,
/// and <see cref="RunAsync"/> continues from whatever stage the state is in, so a restart repeats at most the
/// stage that was running (whose work calls are idempotent by key).
/// </summary>
/// <param name="isInterruption">
/// Recognises errors that are not the run's failure but its infrastructure's (the store or the message broker unreachable):
/// the loop then stops without marking the run failed or saving, and its caller resumes it from its last durable save.
/// </param>
public sealed class ActiveLoop(LoopSettings settings, ISelectionStrategy strategy, ILoopWorkers workers, IRunObserver observer,
    Func<Exception, bool>? isInterruption = null)
{
    /// <summary>The drop reason of a sample whose question the run already holds (the contract's name).</summary>
    public const string DuplicateOfSample = "DROP_REASON_DUPLICATE_OF_SAMPLE";

    private readonly GenerationBudget _budget = new(settings.Budget);

    public async Task RunAsync(LoopState state, CancellationToken ct)
    {
        if (state.Status is RunStatus.Completed or RunStatus.Failed)
        {
            return;
        }
        var clock = Stopwatch.StartNew();
        var elapsedBefore = state.Elapsed;
        state.Status = RunStatus.Running;
        if (state.StartedAt == default)
        {
            state.StartedAt = DateTimeOffset.UtcNow;
        }
        try
        {
            while (state.Status == RunStatus.Running)
            {
                ct.ThrowIfCancellationRequested();
                state.Elapsed = elapsedBefore + clock.Elapsed;
                var stage = state.Stage;
                var started = Stopwatch.GetTimestamp();
                await RunStageAsync(state, ct);
                var duration = Stopwatch.GetElapsedTime(started);
                state.StageSeconds[stage.ToString()] = state.StageSeconds.GetValueOrDefault(stage.ToString()) + duration.TotalSeconds;
                state.Elapsed = elapsedBefore + clock.Elapsed;
                await observer.SaveAsync(state, ct);
                if (state.Status == RunStatus.Running)
                {
                    // The step that ends a run is bookkeeping, not work: the save above already reported the finish.
                    await observer.StageCompletedAsync(state, stage, duration, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            state.Status = RunStatus.Cancelled;
            state.StopReason = "cancelled";
            state.Elapsed = elapsedBefore + clock.Elapsed;
            await observer.SaveAsync(state, CancellationToken.None);
            throw;
        }
        catch (Exception ex) when (isInterruption?.Invoke(ex) == true)
        {
            state.Elapsed = elapsedBefore + clock.Elapsed;
            throw; // still RUNNING where it was last saved: nothing to save (and nowhere to save it)
        }
        catch (Exception ex)
        {
            state.Status = RunStatus.Failed;
            state.FailureReason = $"{state.Stage} in round {state.Round}: {ex.Message}";
            state.Elapsed = elapsedBefore + clock.Elapsed;
            await observer.SaveAsync(state, CancellationToken.None);
            throw;
        }
    }

    private Task RunStageAsync(LoopState state, CancellationToken ct) => state.Stage switch
    {
        LoopStage.Evaluate0 => EvaluateBaseAsync(state, ct),
        LoopStage.RoundDone => StartNextRoundOrStop(state),
        LoopStage.Score => ScoreAndSelectAsync(state, ct),
        LoopStage.Generate => GenerateAsync(state, ct),
        LoopStage.Train => TrainAsync(state, ct),
        _ => throw new InvalidOperationException($"Unknown loop stage {state.Stage}."),
    };

    private async Task EvaluateBaseAsync(LoopState state, CancellationToken ct)
    {
        var start = await workers.PrepareBaseAsync($"{state.RunId}/0/base", ct);
        state.Checkpoint = start.Checkpoint;
        await AddCurvePointAsync(state, start.Evaluation, start.TrainLoss, ct);
        state.Stage = LoopStage.RoundDone;
    }

    private bool TrainsAfterGeneration => strategy.Schedule == TrainingSchedule.AfterGeneration;

    /// <summary>Where a round goes once its samples are final: training, or (static generation, still generating) the next round.</summary>
    private LoopStage AfterSamples(LoopState state) => TrainsAfterGeneration && state.GenerationRounds == 0 ? LoopStage.RoundDone : LoopStage.Train;

    private Task StartNextRoundOrStop(LoopState state)
    {
        if (TrainsAfterGeneration && state.Round > 0)
        {
            return state.GenerationRounds == 0 ? NextGenerationRoundOrTrain(state) : NextTrainingRoundOrStop(state);
        }
        ThrowIfRoundsKeepNothing(state);
        var stop = StopReason(state);
        if (stop is not null)
        {
            state.Status = RunStatus.Completed;
            state.StopReason = stop;
            return Task.CompletedTask;
        }
        return StartNextRound(state);
    }

    /// <summary>
    /// Static generation, while generating: the next round generates as long as the budget and max_rounds allow; when they do
    /// not, the training rounds start from round 1, one per generation round, each on every sample.
    /// </summary>
    private Task NextGenerationRoundOrTrain(LoopState state)
    {
        ThrowIfGenerationRoundsKeepNothing(state);
        var stop = StopReason(state);
        if (stop is null)
        {
            return StartNextRound(state);
        }
        state.GenerationRounds = state.Round;
        state.GenerationStopReason = stop;
        state.Round = 1;
        state.Picks = [];
        state.Candidates = [];
        state.Generated = [];
        state.Stage = LoopStage.Train;
        return Task.CompletedTask;
    }

    /// <summary>Static generation, while training: one training round per generation round, then the run ends for generation's reason.</summary>
    private Task NextTrainingRoundOrStop(LoopState state)
    {
        if (state.Round >= state.GenerationRounds)
        {
            state.Status = RunStatus.Completed;
            state.StopReason = state.GenerationStopReason;
            return Task.CompletedTask;
        }
        if (settings.MaxWallTime > TimeSpan.Zero && state.Elapsed >= settings.MaxWallTime)
        {
            state.Status = RunStatus.Completed;
            state.StopReason = "wall_time";
            return Task.CompletedTask;
        }
        state.Round++;
        state.Stage = LoopStage.Train;
        return Task.CompletedTask;
    }

    private Task StartNextRound(LoopState state)
    {
        state.Round++;
        state.Picks = [];
        state.Candidates = [];
        state.Generated = [];
        state.Stage = settings.Mode == LoopMode.SeedSelection ? LoopStage.Score : LoopStage.Generate;
        return Task.CompletedTask;
    }

    /// <summary>Static generation: <see cref="RoundsWithoutProgress"/> generation rounds in a row that kept nothing fail the run.</summary>
    private static void ThrowIfGenerationRoundsKeepNothing(LoopState state)
    {
        if (state.Round < RoundsWithoutProgress)
        {
            return;
        }
        var rounds = Enumerable.Range(state.Round - RoundsWithoutProgress + 1, RoundsWithoutProgress).ToHashSet();
        if (state.Samples.Any(s => rounds.Contains(s.Round)))
        {
            return;
        }
        var reasons = string.Join(", ", state.Drops.Where(d => rounds.Contains(d.Round)).GroupBy(d => d.Reason).Select(g => $"{g.Key} x{g.Count()}"));
        throw new InvalidOperationException($"{RoundsWithoutProgress} generation rounds in a row kept no sample (drops: {(reasons.Length > 0 ? reasons : "none")}); " +
            "the budget cannot be met this way");
    }

    private string? StopReason(LoopState state)
    {
        if (settings.MaxRounds > 0 && state.Round >= settings.MaxRounds)
        {
            return "max_rounds";
        }
        if (settings.MaxWallTime > TimeSpan.Zero && state.Elapsed >= settings.MaxWallTime)
        {
            return "wall_time";
        }
        // A round that could not afford even one more sample ends the run.
        return settings.Budget.FirstReached(state.Spent)
            ?? settings.Budget.FirstExceeded(state.Spent, Reservation(settings.Mode == LoopMode.Overgenerate ? 0 : 1));
    }

    private async Task ScoreAndSelectAsync(LoopState state, CancellationToken ct)
    {
        var overgenerate = settings.Mode == LoopMode.Overgenerate;
        var items = overgenerate ? state.Candidates.Select(c => c.Item).ToList()
            : strategy.Needs.NeedJudge() ? SeedsToRate(state) : state.Seeds;
        IReadOnlyList<CandidateSignals> signals;
        if (strategy.Needs == SignalNeeds.None)
        {
            signals = [.. items.Select(i => new CandidateSignals(i.Id, i.Family, i.Difficulty))];
        }
        else
        {
            var allowance = new StageAllowance(_budget, state.Spent);
            var scored = await workers.ScoreAsync($"{state.RunId}/{state.Round}/score", CurrentCheckpoint(state), items, strategy.Needs,
                allowance, ct);
            signals = scored.Signals;
            state.Spent += scored.Spent;
            state.Billed += scored.Billed;
            if (signals.Count == 0 && items.Count > 0)
            {
                // Not one rating was affordable: nothing can be picked by it, so the budget has ended the run.
                state.Status = RunStatus.Completed;
                state.StopReason = settings.Budget.FirstExceeded(state.Spent, settings.JudgeReservation) ?? "budget";
                return;
            }
        }
        var picks = strategy.Select(signals, SamplesThisRound(state), SelectionRandom(state.Round));
        state.Picks = [.. picks];
        state.Selections.Add(Summarise(state.Round, picks, signals));

        if (overgenerate)
        {
            var byId = state.Candidates.ToDictionary(c => c.Item.Id);
            foreach (var pick in picks)
            {
                state.Samples.Add(byId[pick.Id] with { StrategyScore = pick.Score });
                state.Spent += new BudgetAmount(1, 0, 0, 0);
            }
            state.Stage = AfterSamples(state);
        }
        else
        {
            state.Stage = LoopStage.Generate;
        }
    }

    /// <summary>
    /// Generates the round's work in chunks of <see cref="LoopSettings.GenerationChunkSize"/>, as many chunks in flight as
    /// <see cref="LoopSettings.GenerationParallelism"/> allows. Each item's teacher cost is reserved before its chunk is sent and
    /// settled when the chunk returns, so concurrent chunks never take the run past a budget; when the budget cannot take a
    /// whole chunk, a smaller one goes, and when it cannot take one more item the stage waits for what is in flight.
    /// </summary>
    private async Task GenerateAsync(LoopState state, CancellationToken ct)
    {
        var overgenerate = settings.Mode == LoopMode.Overgenerate;
        var work = overgenerate ? CandidateWork(state) : PickWork(state);
        var pending = work.Where(w => !state.Generated.ContainsKey(w.Slot)).ToList();
        var chunkSize = Math.Clamp(settings.GenerationChunkSize, 1, settings.GenerationParallelism);
        var chunksInFlight = Math.Max(1, settings.GenerationParallelism / chunkSize);
        var inFlight = new List<Task<(IReadOnlyList<GenerationWork> Chunk, IReadOnlyList<GenerationResult> Results)>>();
        var next = 0;
        var blocked = false;
        while (next < pending.Count || inFlight.Count > 0)
        {
            while (!blocked && next < pending.Count && inFlight.Count < chunksInFlight)
            {
                var chunk = new List<GenerationWork>();
                while (next < pending.Count && chunk.Count < chunkSize)
                {
                    var reservation = Reservation(overgenerate ? 0 : 1);
                    if (!_budget.TryReserve(state.Spent, reservation))
                    {
                        break;
                    }
                    chunk.Add(pending[next++] with { Reserved = reservation });
                }
                if (chunk.Count == 0)
                {
                    blocked = inFlight.Count == 0; // nothing will settle below its reservation: the budget is spent
                    break;
                }
                inFlight.Add(GenerateChunkAsync(state.RunId, chunk, ct));
            }
            if (inFlight.Count == 0)
            {
                break;
            }
            var done = await Task.WhenAny(inFlight);
            inFlight.Remove(done);
            var (finished, results) = await done;
            for (var i = 0; i < finished.Count; i++)
            {
                _budget.Release(finished[i].Reserved);
                Record(state, finished[i], results[i], overgenerate);
            }
        }
        Collect(state, overgenerate);
        ThrowIfTheTeacherFailedEverything(state, work.Count);
        state.Stage = overgenerate ? LoopStage.Score : AfterSamples(state);
    }

    /// <summary>A chunk's key names its slots, so a restart that plans the same chunk asks for it again under the same key.</summary>
    private async Task<(IReadOnlyList<GenerationWork> Chunk, IReadOnlyList<GenerationResult> Results)> GenerateChunkAsync(string runId,
        IReadOnlyList<GenerationWork> chunk, CancellationToken ct)
    {
        var key = FormattableString.Invariant($"{runId}/{chunk[0].Round}/generate/{chunk[0].Slot}-{chunk[^1].Slot}x{chunk.Count}");
        var results = await workers.GenerateAsync(key, chunk, ct);
        return results.Count == chunk.Count
            ? (chunk, results)
            : throw new InvalidOperationException($"generation chunk {key} returned {results.Count} results for {chunk.Count} requests");
    }

    /// <summary>Rounds in a row that kept no sample before the run fails instead of repeating them (<see cref="ThrowIfRoundsKeepNothing"/>).</summary>
    public const int RoundsWithoutProgress = 3;

    /// <summary>
    /// Rounds that keep nothing (every generation dropped: duplicates, validation) would repeat for ever in a run bounded only by
    /// its sample budget; after <see cref="RoundsWithoutProgress"/> of them the run fails, naming the drop reasons.
    /// </summary>
    private static void ThrowIfRoundsKeepNothing(LoopState state)
    {
        var trained = state.Curve.Where(p => p.Round > 0).TakeLast(RoundsWithoutProgress + 1).ToList();
        var before = state.Curve.Where(p => p.Round == 0).Select(p => p.Samples).DefaultIfEmpty(0).First();
        if (trained.Count < RoundsWithoutProgress || (trained.Count == RoundsWithoutProgress + 1 ? trained[0].Samples : before) != trained[^1].Samples)
        {
            return;
        }
        var rounds = trained.TakeLast(RoundsWithoutProgress).Select(p => p.Round).ToHashSet();
        var reasons = string.Join(", ", state.Drops.Where(d => rounds.Contains(d.Round)).GroupBy(d => d.Reason).Select(g => $"{g.Key} x{g.Count()}"));
        throw new InvalidOperationException($"{RoundsWithoutProgress} rounds in a row kept no sample (drops: {(reasons.Length > 0 ? reasons : "none")}); " +
            "the budget cannot be met this way");
    }

    /// <summary>
    /// A round whose every generation failed with a teacher error kept nothing and would be repeated identically round after round
    /// (a run bounded only by its sample budget would never end): the run fails, saying why, instead.
    /// </summary>
    private static void ThrowIfTheTeacherFailedEverything(LoopState state, int planned)
    {
        var records = state.Generated.Values.ToList();
        if (planned == 0 || records.Count < planned || !records.All(r => r.Sample is null && TeacherUnavailableException.IsTeacherError(r.Drop?.Reason)))
        {
            return;
        }
        var kinds = string.Join(", ", records.Select(r => r.Drop?.Detail).Where(d => !string.IsNullOrWhiteSpace(d)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        throw new TeacherUnavailableException(
            $"the teacher failed all {records.Count} generations of the round ({(kinds.Length > 0 ? kinds : "teacher error")}); " +
            "no sample could be kept, so the budget cannot be met");
    }

    private static void Record(LoopState state, GenerationWork work, GenerationResult result, bool candidate)
    {
        // Spending counts whether the sample was kept or dropped: the teacher was paid either way.
        var spent = result.Spent with { Samples = result.Sample is not null && !candidate ? 1 : 0 };
        var kept = result.Sample is { } sample
            ? new KeptSample(sample, work.Round, work.Seed.Id, work.Strategy, work.Pick.Score, result.TeacherCallIds)
            : null;
        var drop = kept is null ? new DropRecord(work.Round, work.Seed.Id, result.DropReason ?? "unknown", result.DropDetail) : null;
        state.Spent += spent;
        state.Billed += result.Billed;
        state.Generated[work.Slot] = new GenerationRecord(kept, drop, spent);
    }

    /// <summary>
    /// Results join the run in slot order, whatever order the parallel calls finished in: runs stay reproducible. A sample whose
    /// question repeats one the run already holds (normalised as <see cref="QuestionHash"/> does) is dropped here, in that order,
    /// so which of two equal samples survives never depends on timing; its teacher spending stays counted.
    /// </summary>
    private static void Collect(LoopState state, bool candidates)
    {
        var held = (candidates ? state.Candidates.Concat(state.Samples) : state.Samples)
            .Select(s => QuestionHash.Normalize(s.Item.Question))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var (_, record) in state.Generated.OrderBy(g => g.Key))
        {
            if (record.Sample is { } kept)
            {
                if (held.Add(QuestionHash.Normalize(kept.Item.Question)))
                {
                    (candidates ? state.Candidates : state.Samples).Add(kept);
                }
                else
                {
                    state.Drops.Add(new DropRecord(kept.Round, kept.SeedId, DuplicateOfSample, "the question repeats an earlier sample of the run"));
                    state.Spent -= new BudgetAmount(record.Spent.Samples, 0, 0, 0);
                }
            }
            if (record.Drop is { } drop)
            {
                state.Drops.Add(drop);
            }
        }
    }

    private async Task TrainAsync(LoopState state, CancellationToken ct)
    {
        var result = await workers.TrainAsync($"{state.RunId}/{state.Round}/train", state.Round, CurrentCheckpoint(state), state.Samples, ct);
        state.Checkpoint = result.Checkpoint;
        await AddCurvePointAsync(state, result.Evaluation, result.TrainLoss, ct);
        state.Stage = LoopStage.RoundDone;
    }

    private async Task AddCurvePointAsync(LoopState state, Evaluation evaluation, double trainLoss, CancellationToken ct)
    {
        var point = new CurvePoint(state.Round, state.Spent.Samples, state.Spent.TeacherTokens, state.Spent.CostUsd,
            evaluation.Accuracy, evaluation.AccuracyByFamily, trainLoss);
        state.Curve.Add(point);
        await observer.CurvePointAsync(state, point, ct);
    }

    private static CheckpointHandle CurrentCheckpoint(LoopState state) =>
        state.Checkpoint ?? throw new InvalidOperationException("The run has no checkpoint: round 0 (base) did not complete.");

    private int SamplesThisRound(LoopState state)
    {
        var m = settings.SamplesPerRound;
        return settings.Budget.MaxSamples > 0 ? (int)Math.Min(m, settings.Budget.MaxSamples - state.Spent.Samples) : m;
    }

    private List<GenerationWork> PickWork(LoopState state)
    {
        var seeds = state.Seeds.ToDictionary(s => s.Id);
        return [.. state.Picks.Select((pick, slot) => new GenerationWork(state.Round, slot, seeds[pick.Id], pick, strategy.Name, BudgetAmount.Zero))];
    }

    /// <summary>Overgenerate mode: k·m seeds drawn uniformly, one candidate each.</summary>
    private List<GenerationWork> CandidateWork(LoopState state)
    {
        var rng = SelectionRandom(state.Round);
        var count = settings.OvergenerateFactor * SamplesThisRound(state);
        return [.. Enumerable.Range(0, count).Select(slot =>
        {
            var seed = state.Seeds[rng.Next(state.Seeds.Count)];
            return new GenerationWork(state.Round, slot, seed, new Pick(seed.Id, 0), "random", BudgetAmount.Zero);
        })];
    }

    /// <summary>
    /// Seed selection by a strategy the teacher rates for (judge-hard, lion, reward-low): k·m seeds of the pool, drawn at random each
    /// round, in pool order. Rating the whole pool every round would spend most of a token budget on ratings; k·m is what
    /// overgenerate mode rates too.
    /// </summary>
    private IReadOnlyList<TaskItem> SeedsToRate(LoopState state)
    {
        var count = settings.OvergenerateFactor * SamplesThisRound(state);
        if (count >= state.Seeds.Count)
        {
            return state.Seeds;
        }
        var order = Enumerable.Range(0, state.Seeds.Count).ToArray();
        new Random(unchecked((int)(settings.RandomSeed * 1_000_003L + state.Round * 7919L + 104_729L))).Shuffle(order);
        return [.. order.Take(count).Order().Select(i => state.Seeds[i])];
    }

    private BudgetAmount Reservation(long samples) => settings.GenerationReservation with { Samples = samples };

    /// <summary>Deterministic per run seed and round (never HashCode, which is randomised per process).</summary>
    private Random SelectionRandom(int round) => new(unchecked((int)(settings.RandomSeed * 1_000_003L + round * 7919L)));

    private static RoundSelection Summarise(int round, IReadOnlyList<Pick> picks, IReadOnlyList<CandidateSignals> signals)
    {
        var byId = signals.ToDictionary(s => s.Id);
        var picked = picks.Select(p => byId[p.Id]).ToList();
        return new RoundSelection(
            round,
            picks.Count,
            picked.GroupBy(s => s.Family).ToDictionary(g => g.Key, g => g.Count()),
            picked.GroupBy(s => s.Difficulty).ToDictionary(g => g.Key, g => g.Count()),
            picked.Count(s => s.Correct == true),
            picks.Count == 0 ? 0 : picks.Average(p => p.Score));
    }

    /// <summary>The budget as one score stage sees it: what its judge calls settled so far counts on top of the run's spending before it.</summary>
    private sealed class StageAllowance(GenerationBudget budget, BudgetAmount spentBefore) : ISpendingAllowance
    {
        private readonly Lock _lock = new();
        private BudgetAmount _settled;

        public int Reserve(BudgetAmount unit, int wanted)
        {
            lock (_lock)
            {
                for (var count = wanted; count > 0; count--)
                {
                    if (budget.TryReserve(spentBefore + _settled, unit.Times(count)))
                    {
                        return count;
                    }
                }
                return 0;
            }
        }

        public void Settle(BudgetAmount reserved, BudgetAmount spent)
        {
            lock (_lock)
            {
                budget.Release(reserved);
                _settled += spent;
            }
        }
    }

    /// <summary>Reservations of the calls in flight: used + reserved never passes a limit.</summary>
    private sealed class GenerationBudget(BudgetLimits limits)
    {
        private BudgetAmount _reserved;

        public bool TryReserve(BudgetAmount spent, BudgetAmount amount)
        {
            if (limits.FirstExceeded(spent + _reserved, amount) is not null)
            {
                return false;
            }
            _reserved += amount;
            return true;
        }

        public void Release(BudgetAmount amount) => _reserved -= amount;
    }
}
