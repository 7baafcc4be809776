using ActiveSynth.Student.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Training;

/// <summary>
/// The AdamW optimizer of a model. Kept across rounds in the loop's continue mode (its moments are saved with each
/// checkpoint as <c>optimizer.bin</c>, TorchSharp's optimizer state format), so a round does not restart from zero moments.
/// </summary>
public sealed class StudentOptimizer : IDisposable
{
    private StudentOptimizer(StudentModel model, TorchSharp.Modules.AdamW optimizer)
    {
        Model = model;
        Inner = optimizer;
    }

    public StudentModel Model { get; }

    internal TorchSharp.Modules.AdamW Inner { get; }

    public static StudentOptimizer Create(StudentModel model, double learningRate = 1e-3, double weightDecay = 0.01, double beta1 = 0.9, double beta2 = 0.98)
    {
        ArgumentNullException.ThrowIfNull(model);
        var adamW = optim.AdamW(model.Network.parameters(), lr: learningRate, beta1: beta1, beta2: beta2, weight_decay: weightDecay);
        return new StudentOptimizer(model, adamW);
    }

    public static StudentOptimizer Create(StudentModel model, TrainingSettings settings) =>
        Create(model, settings.LearningRate, settings.WeightDecay, settings.Beta1, settings.Beta2);

    public double LearningRate
    {
        get => Inner.ParamGroups.First().LearningRate;
        set
        {
            foreach (var group in Inner.ParamGroups)
            {
                group.LearningRate = value;
            }
        }
    }

    public byte[] SaveState() => OptimizerState.Save(Inner);

    public void LoadState(byte[] state) => OptimizerState.Load(Inner, state);

    public void Dispose() => Inner.Dispose();
}
