using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Training;

/// <summary>
/// What both trainers (the embedded student's and LoRA's) share per step: the optimizer step with gradient clipping,
/// and the report's loss curve, the mean of each window of <see cref="TrainingSettings.LossLogInterval"/> steps (the
/// last window may be shorter).
/// </summary>
internal sealed class TrainingProgress(TrainingSettings settings)
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly List<float> _curve = [];
    private double _windowSum;
    private int _windowCount;
    private double _lastWindow = double.NaN;

    public long Tokens { get; set; }

    /// <summary>Backward of <paramref name="loss"/>, clipping, one optimizer step; the loss as a number.</summary>
    public double Step(Tensor loss, optim.Optimizer optimizer, IEnumerable<TorchSharp.Modules.Parameter> parameters)
    {
        optimizer.zero_grad();
        loss.backward();
        if (settings.GradClip > 0)
        {
            nn.utils.clip_grad_norm_(parameters, settings.GradClip);
        }
        optimizer.step();
        return loss.item<float>();
    }

    public void Record(int step, double loss)
    {
        _windowSum += loss;
        _windowCount++;
        if (_windowCount == settings.LossLogInterval || step == settings.Steps - 1)
        {
            _lastWindow = _windowSum / _windowCount;
            _curve.Add((float)_lastWindow);
            _windowSum = 0;
            _windowCount = 0;
        }
    }

    public TrainingReport Report() => new(settings.Steps, _lastWindow, _curve, Tokens, Stopwatch.GetElapsedTime(_started));
}
