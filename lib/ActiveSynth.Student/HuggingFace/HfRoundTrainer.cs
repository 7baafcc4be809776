using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.Evaluation;
using ActiveSynth.Student.Training;
using static TorchSharp.torch;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// One round of LoRA finetuning of a Hugging Face student (or, with <c>finetune=full</c>, of all its weights): the plan's start checkpoint (the previous round's adapter, or
/// the base with a fresh adapter of the <c>student.options</c> LoRA settings, seeded by the plan), trained on the round's
/// dataset, saved as a new adapter checkpoint, evaluated. The same plan and result as the embedded
/// <see cref="RoundTrainer"/>; a round whose checkpoint already exists (a redelivered request) is not trained again. The
/// student is the cache's kept base model, so rounds do not re-read the base. The adapter's AdamW state is saved with
/// each checkpoint and, with <see cref="RoundTrainingPlan.KeepOptimizerState"/>, restored from the start checkpoint. A base
/// made by <see cref="HfBasePretrainer"/> carries its pretraining items, replayed at the settings' fraction; a downloaded
/// model has none, and the fraction is then ignored.
/// </summary>
public sealed class HfRoundTrainer(HfStudentCache students)
{
    public async Task<RoundTrainingResult> TrainRoundAsync(RoundTrainingPlan plan, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        plan.Settings.Validate();
        if (students.Store.IsHfCheckpoint(plan.OutputPath))
        {
            using var existing = await students.AcquireAsync(plan.OutputPath, null, ct).ConfigureAwait(false);
            return new RoundTrainingResult(existing.Checkpoint, TrainingReportProperties.Read(existing.Manifest.Properties),
                Evaluate(existing.Student, plan, ct), AlreadyExisted: true);
        }

        var start = plan.Previous ?? plan.Base;
        using var lease = await students.AcquireAsync(start.Path, start.Sha256, ct).ConfigureAwait(false);
        var student = lease.Student;
        var full = student.Options.FullFinetune;
        if (!full && lease.Manifest.AdapterSha256.Length == 0)
        {
            LoraAdapter.Reset(student, plan.Settings.Seed);
        }
        using var optimizer = full ? HfFullTrainer.CreateOptimizer(student, plan.Settings) : LoraTrainer.CreateOptimizer(student, plan.Settings);
        if (plan.KeepOptimizerState && await students.Store.LoadOptimizerStateAsync(start.Path, lease.Manifest, ct).ConfigureAwait(false) is { } state)
        {
            try
            {
                OptimizerState.Load(optimizer, state);
            }
            catch (InvalidDataException ex)
            {
                throw new CheckpointException(start.Path, $"Hugging Face checkpoint '{start.Path}': {HfCheckpointStore.OptimizerFile} is {ex.Message}.", ex)
                { FileName = HfCheckpointStore.OptimizerFile, Problem = "is not the optimizer state of this adapter" };
            }
        }
        // Replay exists only for a base made here (its pretraining items); a downloaded model has none, and the fraction is then ignored.
        var pool = plan.Settings.ReplayFraction > 0 ? students.Store.LoadBaseReplay(start.Path, lease.Manifest) : null;
        var sampler = new TrainingBatchSampler(plan.Dataset, pool is null ? null : TrainingBatchSampler.FromPool(pool),
            plan.Settings.ReplayFraction, plan.Settings.BatchSize, plan.Settings.Seed);
        var report = full ? HfFullTrainer.Train(student, optimizer, plan.Settings, sampler, ct) : LoraTrainer.Train(student, optimizer, plan.Settings, sampler, ct);
        var info = await students.Store.SaveRoundAsync(plan.OutputPath, student, lease.Manifest, plan.Metadata with
        {
            ParentId = plan.Previous?.Id ?? plan.Base.Id,
            TrainedSamples = plan.Dataset.Count,
            Properties = TrainingReportProperties.Write(report, plan.Metadata.Properties, start.Id),
        }, OptimizerState.Save(optimizer), ct).ConfigureAwait(false);
        return new RoundTrainingResult(info, report, Evaluate(student, plan, ct), AlreadyExisted: false);
    }

    private static EvaluationReport? Evaluate(HfStudent student, RoundTrainingPlan plan, CancellationToken ct) =>
        plan.TestSet is { Count: > 0 } test ? StudentEvaluator.Evaluate(student, test, plan.Graders, plan.EvalBatchSize, plan.MaxNewTokens, ct) : null;
}
