using System.Collections.Concurrent;
using ActiveSynth.Core.Budgets;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Tasks;

namespace ActiveSynth.Core.Tests.Loop;

/// <summary>
/// Deterministic workers for the loop's state-machine tests: the student and teacher themselves are tested
/// elsewhere; here what matters is what the loop asks for, how often, and what it does with the answers.
/// Signals: the NLL of a seed is its difficulty (so loss-high must pick the hardest); every <see cref="DropEvery"/>-th
/// generation is dropped; each generation costs <see cref="TokensPerGeneration"/> teacher tokens.
/// </summary>
internal sealed class ScriptedWorkers : ILoopWorkers
{
    public int DropEvery { get; init; }

    public long TokensPerGeneration { get; init; } = 100;

    /// <summary>Every generation fails with a teacher error (an endpoint that is down); nothing is charged.</summary>
    public bool TeacherDown { get; init; }

    /// <summary>Generations slower than zero make parallel calls overlap, as real teacher calls do.</summary>
    public TimeSpan GenerationDelay { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Write every question as "like &lt;seed question&gt;" only, so a seed picked twice gives the same question twice.</summary>
    public bool RepeatQuestions { get; init; }

    /// <summary>Generations of these slots take longer than the others, so they finish last.</summary>
    public IReadOnlySet<int> SlowSlots { get; init; } = new HashSet<int>();

    public ConcurrentDictionary<string, int> GenerateCalls { get; } = new();

    public ConcurrentBag<int> TrainedSampleCounts { get; } = [];

    /// <summary>Every generation chunk and training call in the order the loop made them: "generate &lt;key&gt;", "train &lt;key&gt; &lt;samples&gt;".</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    private int _generations;
    private int _inFlight;

    public int MaxInFlight { get; private set; }

    public Task<TrainOutcome> PrepareBaseAsync(string key, CancellationToken ct) =>
        Task.FromResult(new TrainOutcome(new CheckpointHandle("base", "base", "sha-base"), 1.0, Evaluation(0)));

    /// <summary>Teacher tokens of one judge rating (a judge strategy's difficulty); the reservation is the loop's JudgeReservation.</summary>
    public long TokensPerRating { get; init; } = 40;

    /// <summary>Items the judge was asked to rate, per score key.</summary>
    public ConcurrentDictionary<string, IReadOnlyList<string>> Rated { get; } = new();

    /// <summary>
    /// The student's signals for every item; with a judge strategy, a rating (difficulty, reward) for as many items as the allowance pays
    /// for, in chunks of 5 (reserve before, settle after, as the engine does), the rest left out.
    /// </summary>
    public Task<ScoreOutcome> ScoreAsync(string key, CheckpointHandle checkpoint, IReadOnlyList<TaskItem> items, SignalNeeds needs,
        ISpendingAllowance allowance, CancellationToken ct)
    {
        var signals = items.Select(i => new CandidateSignals(i.Id, i.Family, i.Difficulty)
        {
            OwnNll = i.Difficulty + i.Id.Sum(c => c) % 97 / 1000.0,
            AnswerNll = i.Difficulty,
            Correct = i.Difficulty == 1,
            JudgeDifficulty = i.Difficulty / 4.0,
            Reward = 1 - i.Difficulty / 4.0,
        }).ToList();
        if (!needs.NeedJudge())
        {
            return Task.FromResult(new ScoreOutcome(signals, BudgetAmount.Zero));
        }
        var unit = new BudgetAmount(0, 1, JudgeReservationTokens, 0);
        var rated = new List<CandidateSignals>();
        var spent = BudgetAmount.Zero;
        foreach (var chunk in signals.Chunk(5))
        {
            var count = allowance.Reserve(unit, chunk.Length);
            var cost = new BudgetAmount(0, count, count * TokensPerRating, 0);
            allowance.Settle(unit.Times(count), cost);
            spent += cost;
            rated.AddRange(chunk.Take(count));
            if (count < chunk.Length)
            {
                break;
            }
        }
        Rated[key] = [.. rated.Select(r => r.Id)];
        return Task.FromResult(new ScoreOutcome(rated, spent));
    }

    /// <summary>What the loop's settings reserve per rating (JudgeReservation's tokens in the tests' settings).</summary>
    public long JudgeReservationTokens { get; init; } = 75;

    /// <summary>Keys of the generation chunks asked for, in order.</summary>
    public ConcurrentQueue<string> Chunks { get; } = new();

    /// <summary>A chunk's items are generated concurrently, as the Teacher does; each item is counted under its own key.</summary>
    public async Task<IReadOnlyList<GenerationResult>> GenerateAsync(string key, IReadOnlyList<GenerationWork> chunk, CancellationToken ct)
    {
        Chunks.Enqueue(key);
        Calls.Enqueue($"generate {key}");
        return await Task.WhenAll(chunk.Select(work => GenerateOneAsync($"{key}#{work.Slot}", work, ct)));
    }

    private async Task<GenerationResult> GenerateOneAsync(string key, GenerationWork work, CancellationToken ct)
    {
        GenerateCalls.AddOrUpdate(key, 1, (_, n) => n + 1);
        var inFlight = Interlocked.Increment(ref _inFlight);
        MaxInFlight = Math.Max(MaxInFlight, inFlight);
        try
        {
            await Task.Delay(SlowSlots.Contains(work.Slot) ? GenerationDelay + TimeSpan.FromMilliseconds(50) : GenerationDelay, ct);
            var n = Interlocked.Increment(ref _generations);
            if (TeacherDown)
            {
                return new GenerationResult(null, "DROP_REASON_TEACHER_ERROR", "http 500", new BudgetAmount(0, 2, 0, 0), [$"{key}/q"]);
            }
            var spent = new BudgetAmount(0, 2, TokensPerGeneration, 0.001);
            if (DropEvery > 0 && n % DropEvery == 0)
            {
                return new GenerationResult(null, "no_final_answer", "scripted drop", spent, [$"{key}/q", $"{key}/a"]);
            }
            var question = RepeatQuestions ? $"like {work.Seed.Question}" : $"like {work.Seed.Question}, number {work.Round}.{work.Slot}";
            var sample = new TaskItem($"s-{work.Round}-{work.Slot}", work.Seed.Family, work.Seed.Difficulty, question, "x\n#### y");
            return new GenerationResult(sample, null, null, spent, [$"{key}/q", $"{key}/a"]);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public Task<TrainOutcome> TrainAsync(string key, int round, CheckpointHandle from, IReadOnlyList<KeptSample> samples, CancellationToken ct)
    {
        TrainedSampleCounts.Add(samples.Count);
        Calls.Enqueue($"train {key} {samples.Count}");
        return Task.FromResult(new TrainOutcome(new CheckpointHandle($"r{round}", $"r{round}", $"sha-{round}"), 0.5, Evaluation(round)));
    }

    private static Evaluation Evaluation(int round) => new(0.25 + 0.05 * round, new Dictionary<string, double> { ["copy"] = 0.5 }, 100);
}

/// <summary>Records saves (as JSON round trips, like a durable store) and can fail a chosen save to simulate a crash.</summary>
internal sealed class RecordingObserver : IRunObserver
{
    public List<LoopStage> Stages { get; } = [];

    public List<CurvePoint> Points { get; } = [];

    public string? LastSavedJson { get; private set; }

    /// <summary>Throws on the n-th save (1-based) after storing it: the process "dies" right after a durable step.</summary>
    public int CrashAfterSave { get; init; }

    private int _saves;

    public Task SaveAsync(LoopState state, CancellationToken ct)
    {
        LastSavedJson = LoopStateJson.Serialize(state);
        if (++_saves == CrashAfterSave)
        {
            throw new SimulatedCrashException();
        }
        return Task.CompletedTask;
    }

    public Task StageCompletedAsync(LoopState state, LoopStage stage, TimeSpan duration, CancellationToken ct)
    {
        Stages.Add(stage);
        return Task.CompletedTask;
    }

    public Task CurvePointAsync(LoopState state, CurvePoint point, CancellationToken ct)
    {
        Points.Add(point);
        return Task.CompletedTask;
    }
}

internal sealed class SimulatedCrashException : Exception;
