using ActiveSynth.Student.Modeling;
using ActiveSynth.Student.Training;
using static TorchSharp.torch;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// The step loop both HF trainers share (LoRA's and full finetuning's; they differ only in which parameters the
/// optimizer holds): per step a batch from the sampler, <see cref="LoraTrainer.Loss"/> on the answer tokens, backward,
/// clipping over <c>parameters</c>, an AdamW step at the schedule's learning rate. Leaves the network in eval mode.
/// </summary>
internal static class HfTrainingLoop
{
    public static TrainingReport Run(HfStudent student, optim.Optimizer optimizer, IReadOnlyList<TorchSharp.Modules.Parameter> parameters,
        TrainingSettings settings, TrainingBatchSampler sampler, CancellationToken ct, Action<int, double>? onStep)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(sampler);
        settings.Validate();
        var net = student.Network;
        net.train();
        var progress = new TrainingProgress(settings);
        try
        {
            for (var step = 0; step < settings.Steps; step++)
            {
                ct.ThrowIfCancellationRequested();
                var items = sampler.Next();
                foreach (var group in optimizer.ParamGroups)
                {
                    group.LearningRate = settings.LearningRateAt(step);
                }
                double loss;
                using (NewDisposeScope())
                {
                    using var batch = TeacherForcedBatch.Create([.. items.Select(student.ReferencePair)], student.Device);
                    progress.Tokens += batch.RealTokens;
                    loss = progress.Step(LoraTrainer.Loss(student, batch), optimizer, parameters);
                }
                onStep?.Invoke(step, loss);
                progress.Record(step, loss);
            }
        }
        finally
        {
            net.eval();
        }
        return progress.Report();
    }
}
