using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Training;

/// <summary>
/// Trains a model with its optimizer: per step a batch from the sampler, teacher-forced next-token cross-entropy on
/// the answer tokens only, backward, gradient clipping, AdamW step at the schedule's learning rate. Every step's
/// tensors live in their own dispose scope.
/// </summary>
public static class StudentTrainer
{
    public static TrainingReport Train(StudentModel model, StudentOptimizer optimizer, TrainingSettings settings, TrainingBatchSampler sampler,
        CancellationToken ct = default, Action<int, double>? onStep = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(sampler);
        settings.Validate();
        if (!ReferenceEquals(optimizer.Model, model))
        {
            throw new ArgumentException("The optimizer belongs to another model.", nameof(optimizer));
        }
        var net = model.Network;
        var parameters = net.parameters().ToList();
        net.train();
        var progress = new TrainingProgress(settings);
        for (var step = 0; step < settings.Steps; step++)
        {
            ct.ThrowIfCancellationRequested();
            var items = sampler.Next();
            optimizer.LearningRate = settings.LearningRateAt(step);
            double loss;
            using (NewDisposeScope())
            {
                var pairs = items.Select(i => PromptFormat.Pair(model.Tokenizer, i, model.Config.Context)).ToList();
                using var batch = TeacherForcedBatch.Create(pairs, model.Device);
                progress.Tokens += batch.RealTokens;
                loss = progress.Step(Loss(net, batch), optimizer.Inner, parameters);
            }
            onStep?.Invoke(step, loss);
            progress.Record(step, loss);
        }
        net.eval();
        return progress.Report();
    }

    /// <summary>Mean next-token cross-entropy over the batch's target tokens.</summary>
    public static Tensor Loss(StudentTransformer network, TeacherForcedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(batch);
        var logits = network.Forward(batch.Inputs, batch.Positions);
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), batch.Targets.reshape(-1), ignore_index: TeacherForcedBatch.IgnoreIndex);
    }

    /// <summary>Mean target-token loss of <paramref name="items"/> without training (diagnostics, tests).</summary>
    public static double EvaluateLoss(StudentModel model, IReadOnlyList<TaskItem> items)
    {
        ArgumentNullException.ThrowIfNull(model);
        var net = model.Network;
        var wasTraining = net.training;
        net.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var batch = TeacherForcedBatch.Create([.. items.Select(i => PromptFormat.Pair(model.Tokenizer, i, model.Config.Context))], model.Device);
            return Loss(net, batch).item<float>();
        }
        finally
        {
            net.train(wasTraining);
        }
    }
}
