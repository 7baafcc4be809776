using System.ComponentModel.DataAnnotations;

namespace ActiveSynth.Student.Training;

public enum LearningRateSchedule
{
    /// <summary>Linear warmup over <see cref="TrainingSettings.WarmupSteps"/>, then cosine decay to <see cref="TrainingSettings.MinLearningRateFraction"/>.</summary>
    WarmupCosine,

    /// <summary>The same learning rate every step (the loop's continue mode with a persistent optimizer).</summary>
    Constant,
}

/// <summary>One training call: AdamW (β = 0.9, 0.98; weight decay 0.01), schedule, clipping, batch mix and seed.</summary>
public sealed record TrainingSettings
{
    [Range(1, 10_000_000)]
    public int Steps { get; init; } = 40;

    [Range(1e-7, 1.0)]
    public double LearningRate { get; init; } = 1e-3;

    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    [Range(0, 1_000_000)]
    public int WarmupSteps { get; init; } = 20;

    /// <summary>Floor of the schedule as a fraction of the learning rate (the spike's 5 %).</summary>
    [Range(0.0, 1.0)]
    public double MinLearningRateFraction { get; init; } = 0.05;

    [Range(1, 65536)]
    public int BatchSize { get; init; } = 32;

    [Range(0.0, 1.0)]
    public double WeightDecay { get; init; } = 0.01;

    [Range(0.0, 1.0)]
    public double Beta1 { get; init; } = 0.9;

    [Range(0.0, 1.0)]
    public double Beta2 { get; init; } = 0.98;

    /// <summary>Max global gradient norm; 0 = no clipping.</summary>
    [Range(0.0, 1e6)]
    public double GradClip { get; init; } = 1.0;

    /// <summary>Share of each batch drawn from the replay source (base pretraining data), in [0, 1].</summary>
    [Range(0.0, 1.0)]
    public double ReplayFraction { get; init; } = 0.5;

    /// <summary>Seed of the batch sampler: the same seed, data and starting state give the same weights.</summary>
    public long Seed { get; init; }

    /// <summary>Steps per point of the loss curve.</summary>
    [Range(1, 1_000_000)]
    public int LossLogInterval { get; init; } = 10;

    public void Validate() => Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);

    /// <summary>The learning rate at <paramref name="step"/> (0-based), as the spike computes it.</summary>
    public double LearningRateAt(int step)
    {
        if (Schedule == LearningRateSchedule.Constant)
        {
            return LearningRate;
        }
        var warm = WarmupSteps > 0 ? Math.Min(1.0, (step + 1) / (double)WarmupSteps) : 1.0;
        var f = warm * 0.5 * (1 + Math.Cos(Math.PI * step / Math.Max(1, Steps)));
        return LearningRate * Math.Max(f, MinLearningRateFraction);
    }
}

/// <summary>What a training call did.</summary>
/// <param name="Steps">Optimizer steps taken.</param>
/// <param name="FinalLoss">Mean loss over the last logging interval.</param>
/// <param name="LossCurve">Mean loss per logging interval.</param>
/// <param name="TokensTrained">Real (non-pad) input tokens seen.</param>
/// <param name="Duration">Wall time.</param>
public sealed record TrainingReport(int Steps, double FinalLoss, IReadOnlyList<float> LossCurve, long TokensTrained, TimeSpan Duration);
