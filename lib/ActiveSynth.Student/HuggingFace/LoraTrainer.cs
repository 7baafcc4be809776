using ActiveSynth.Student.Modeling;
using ActiveSynth.Student.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// Finetunes an <see cref="HfStudent"/>'s LoRA adapters (attach them first with <see cref="LoraAdapter.Attach"/>; the
/// base weights are frozen and never change): per step a batch from the sampler, teacher-forced next-token
/// cross-entropy on the answer tokens (+ end of turn) only, backward through the adapters, gradient clipping, an
/// AdamW step at the schedule's learning rate. The same <see cref="TrainingSettings"/> and
/// <see cref="TrainingBatchSampler"/> as the embedded student's trainer.
/// </summary>
public static class LoraTrainer
{
    public static TrainingReport Train(HfStudent student, TrainingSettings settings, TrainingBatchSampler sampler, CancellationToken ct = default,
        Action<int, double>? onStep = null)
    {
        using var optimizer = CreateOptimizer(student, settings);
        return Train(student, optimizer, settings, sampler, ct, onStep);
    }

    /// <summary>An AdamW over the student's adapter weights (for a caller that keeps or restores its state between rounds).</summary>
    public static TorchSharp.Modules.AdamW CreateOptimizer(HfStudent student, TrainingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(settings);
        var parameters = LoraAdapter.Parameters(student);
        if (parameters.Count == 0)
        {
            throw new InvalidOperationException("The student has no LoRA adapters: call LoraAdapter.Attach (or Load) before training.");
        }
        return optim.AdamW(parameters, settings.LearningRate, settings.Beta1, settings.Beta2, weight_decay: settings.WeightDecay);
    }

    /// <summary>Trains with <paramref name="optimizer"/> (from <see cref="CreateOptimizer"/>), whose moments carry over from earlier calls.</summary>
    public static TrainingReport Train(HfStudent student, TorchSharp.Modules.AdamW optimizer, TrainingSettings settings, TrainingBatchSampler sampler,
        CancellationToken ct = default, Action<int, double>? onStep = null)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(sampler);
        return HfTrainingLoop.Run(student, optimizer, LoraAdapter.Parameters(student), settings, sampler, ct, onStep);
    }

    /// <summary>
    /// Mean next-token cross-entropy over the batch's target tokens (in the network's current train/eval mode). The LM
    /// head runs only at target positions: over a 152k vocabulary it costs more than several layers, and prompt
    /// positions carry no loss.
    /// </summary>
    public static Tensor Loss(HfStudent student, TeacherForcedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(batch);
        var hidden = student.Network.ForwardHidden(batch.Inputs, batch.Positions, null, null);
        var targets = batch.Targets.reshape(-1);
        var at = targets.ne(TeacherForcedBatch.IgnoreIndex).nonzero().squeeze(1);
        var logits = student.Network.Logits(hidden.reshape(-1, hidden.shape[2]).index_select(0, at));
        return nn.functional.cross_entropy(logits, targets.index_select(0, at));
    }

    /// <summary>Mean target-token loss of <paramref name="items"/> in eval mode, without gradients.</summary>
    public static double EvaluateLoss(HfStudent student, IReadOnlyList<Core.Tasks.TaskItem> items)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(items);
        var wasTraining = student.Network.training;
        student.Network.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var batch = TeacherForcedBatch.Create([.. items.Select(student.ReferencePair)], student.Device);
            return Loss(student, batch).item<float>();
        }
        finally
        {
            student.Network.train(wasTraining);
        }
    }
}
