using ActiveSynth.Student.Training;
using static TorchSharp.torch;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// Trains every weight of an <see cref="HfStudent"/> (no adapters): how a base made here is pretrained. The same
/// loss (answer tokens only), <see cref="TrainingSettings"/> and <see cref="TrainingBatchSampler"/> as
/// <see cref="LoraTrainer"/>.
/// </summary>
public static class HfFullTrainer
{
    /// <summary>Makes every base weight trainable and returns an AdamW over all of them.</summary>
    public static TorchSharp.Modules.AdamW CreateOptimizer(HfStudent student, TrainingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(settings);
        if (student.AttachedLora is not null)
        {
            throw new InvalidOperationException("The student has LoRA adapters: full finetuning trains a model without them.");
        }
        var parameters = student.Network.parameters().ToList();
        foreach (var parameter in parameters)
        {
            parameter.requires_grad = true;
        }
        return optim.AdamW(parameters, settings.LearningRate, settings.Beta1, settings.Beta2, weight_decay: settings.WeightDecay);
    }

    public static TrainingReport Train(HfStudent student, TorchSharp.Modules.AdamW optimizer, TrainingSettings settings, TrainingBatchSampler sampler,
        CancellationToken ct = default, Action<int, double>? onStep = null)
    {
        ArgumentNullException.ThrowIfNull(student);
        return HfTrainingLoop.Run(student, optimizer, [.. student.Network.parameters()], settings, sampler, ct, onStep);
    }
}
