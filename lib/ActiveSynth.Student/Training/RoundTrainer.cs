using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.Evaluation;
using ActiveSynth.Student.Grading;
using ActiveSynth.Student.Modeling;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Training;

/// <summary>One round's finetuning (docs/architecture.md, "The loop": train and evaluate).</summary>
public sealed record RoundTrainingPlan
{
    /// <summary>Where the new checkpoint goes (artifact-relative). Deterministic per run and round: a redelivered request finds it and does not train again.</summary>
    public required string OutputPath { get; init; }

    public required CheckpointMetadata Metadata { get; init; }

    /// <summary>The base checkpoint: the starting point in FROM_BASE mode (and round 1) and, via its replay.jsonl, the replay source.</summary>
    public required CheckpointInfo Base { get; init; }

    /// <summary>Round r−1's checkpoint (CONTINUE); null = start from <see cref="Base"/>.</summary>
    public CheckpointInfo? Previous { get; init; }

    /// <summary>Carry the AdamW moments of the starting checkpoint (the v7 persistent optimizer).</summary>
    public bool KeepOptimizerState { get; init; } = true;

    /// <summary>All synthetic samples so far.</summary>
    public required IReadOnlyList<TaskItem> Dataset { get; init; }

    public required TrainingSettings Settings { get; init; }

    /// <summary>Held-out items evaluated after training; null or empty = no evaluation.</summary>
    public IReadOnlyList<TaskItem>? TestSet { get; init; }

    public GraderLookup Graders { get; init; } = GraderLookup.Default;

    public int EvalBatchSize { get; init; } = 256;

    public int MaxNewTokens { get; init; } = 64;
}

/// <summary>The round's checkpoint, how training went and the evaluation.</summary>
/// <param name="AlreadyExisted">The checkpoint was already there (a redelivery): nothing was trained; the report comes from its manifest.</param>
public sealed record RoundTrainingResult(CheckpointInfo Checkpoint, TrainingReport Training, EvaluationReport? Evaluation, bool AlreadyExisted);

/// <summary>
/// Trains one round: starts from the previous checkpoint (or the base), restores its optimizer state when asked,
/// mixes the dataset with replayed base items, trains, saves the checkpoint (weights, tokenizer, config, optimizer
/// state) atomically, then evaluates. Idempotent per output path. The Training service and the in-process loop both call it.
/// </summary>
public sealed class RoundTrainer(CheckpointStore checkpoints, Device device)
{
    public CheckpointStore Checkpoints { get; } = checkpoints ?? throw new ArgumentNullException(nameof(checkpoints));

    public async Task<RoundTrainingResult> TrainRoundAsync(RoundTrainingPlan plan, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        plan.Settings.Validate();
        if (await Checkpoints.ExistsAsync(plan.OutputPath, ct).ConfigureAwait(false))
        {
            await Checkpoints.EnsurePublishedAsync(plan.OutputPath, ct).ConfigureAwait(false);
            var existing = await Checkpoints.LoadAsync(plan.OutputPath, null, device, loadOptimizerState: false, ct).ConfigureAwait(false);
            using var existingModel = existing.Model;
            var manifest = await Checkpoints.ReadPropertiesAsync(plan.OutputPath, ct).ConfigureAwait(false);
            return new RoundTrainingResult(existing.Info, TrainingReportProperties.Read(manifest), Evaluate(existingModel, plan, ct), AlreadyExisted: true);
        }

        var start = plan.Previous ?? plan.Base;
        var loaded = await Checkpoints.LoadAsync(start.Path, start.Sha256, device, plan.KeepOptimizerState, ct).ConfigureAwait(false);
        using var model = loaded.Model;
        using var optimizer = StudentOptimizer.Create(model, plan.Settings);
        if (plan.KeepOptimizerState && loaded.OptimizerState is not null)
        {
            optimizer.LoadState(loaded.OptimizerState);
        }
        Func<Random, TaskItem>? replay = null;
        if (plan.Settings.ReplayFraction > 0 && plan.Base.HasReplay)
        {
            replay = TrainingBatchSampler.FromPool(await Checkpoints.LoadReplayAsync(plan.Base.Path, ct).ConfigureAwait(false));
        }
        var sampler = new TrainingBatchSampler(plan.Dataset, replay, plan.Settings.ReplayFraction, plan.Settings.BatchSize, plan.Settings.Seed);
        var report = StudentTrainer.Train(model, optimizer, plan.Settings, sampler, ct);

        var properties = TrainingReportProperties.Write(report, plan.Metadata.Properties, start.Id);
        var info = await Checkpoints.SaveAsync(plan.OutputPath, model, optimizer, plan.Metadata with
        {
            ParentId = plan.Previous?.Id ?? "",
            TrainedSamples = plan.Dataset.Count,
            Properties = properties,
        }, ct: ct).ConfigureAwait(false);
        return new RoundTrainingResult(info, report, Evaluate(model, plan, ct), AlreadyExisted: false);
    }

    private static EvaluationReport? Evaluate(StudentModel model, RoundTrainingPlan plan, CancellationToken ct) =>
        plan.TestSet is { Count: > 0 } test ? StudentEvaluator.Evaluate(model, test, plan.Graders, plan.EvalBatchSize, plan.MaxNewTokens, ct) : null;
}
