using ActiveSynth.Core.Budgets;
using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Tasks;

namespace ActiveSynth.Core.Loop;

/// <summary>
/// The kinds of work the loop hands out: scoring (with the judge's ratings when a strategy needs them), generation, training
/// + evaluation. Implemented
/// in-process (the CLI's <c>--local</c>, benchmarks) and over Redis streams (the Selection service), so the
/// same loop logic runs both ways. Implementations must be idempotent per <c>key</c>: the loop repeats a call
/// after a restart with the same key and must get the same effect, not a second one.
/// </summary>
public interface ILoopWorkers
{
    /// <summary>
    /// Signals of <paramref name="items"/> under <paramref name="checkpoint"/>, and what the teacher spent on them (judge calls
    /// for the judge's difficulty or reward signals; zero otherwise). Judge calls reserve from <paramref name="allowance"/> before
    /// they go: items the allowance could not pay for are rated by no one and left out of the outcome.
    /// </summary>
    Task<ScoreOutcome> ScoreAsync(string key, CheckpointHandle checkpoint, IReadOnlyList<TaskItem> items, SignalNeeds needs,
        ISpendingAllowance allowance, CancellationToken ct);

    /// <summary>
    /// Asks the teacher for one new sample "like" each work item's seed (question call, then solution call), a chunk of a round at
    /// once; the results come back one per item, in the chunk's order.
    /// </summary>
    Task<IReadOnlyList<GenerationResult>> GenerateAsync(string key, IReadOnlyList<GenerationWork> chunk, CancellationToken ct);

    /// <summary>Finetunes on every kept sample so far, producing round <paramref name="round"/>'s checkpoint, and evaluates it.</summary>
    Task<TrainOutcome> TrainAsync(string key, int round, CheckpointHandle from, IReadOnlyList<KeptSample> samples, CancellationToken ct);

    /// <summary>
    /// The run's starting checkpoint (the embedded base is pretrained once per configuration and cached) and its
    /// accuracy on the held-out set: round 0 of the learning curve.
    /// </summary>
    Task<TrainOutcome> PrepareBaseAsync(string key, CancellationToken ct);
}

/// <summary>A student checkpoint in the artifact store.</summary>
public sealed record CheckpointHandle(string Id, string Path, string Sha256);

/// <summary>Signals of the scored items, what the teacher's ratings among them cost (budget) and what they billed.</summary>
public sealed record ScoreOutcome(IReadOnlyList<CandidateSignals> Signals, BudgetAmount Spent, TeacherBilling Billed = default);

public sealed record GenerationWork(int Round, int Slot, TaskItem Seed, Pick Pick, string Strategy, BudgetAmount Reserved);

/// <summary>A sample or a drop, what the teacher's work cost either way (budget), and what the endpoint billed for it.</summary>
public sealed record GenerationResult(TaskItem? Sample, string? DropReason, string? DropDetail, BudgetAmount Spent, IReadOnlyList<string> TeacherCallIds,
    TeacherBilling Billed = default);

public sealed record Evaluation(double Accuracy, IReadOnlyDictionary<string, double> AccuracyByFamily, int Items);

public sealed record TrainOutcome(CheckpointHandle Checkpoint, double TrainLoss, Evaluation Evaluation);
