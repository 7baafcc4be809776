using static TorchSharp.torch;

namespace ActiveSynth.Student.Modeling;

/// <summary>
/// A right-padded batch of prompt + target sequences: inputs (B,T), next-token targets (B,T) with −100 outside the
/// target, positions 0..T−1. Pads sit after every real token, so a plain causal mask is exact.
/// </summary>
public sealed class TeacherForcedBatch : IDisposable
{
    public const long IgnoreIndex = -100;

    private TeacherForcedBatch(Tensor inputs, Tensor targets, Tensor positions, long realTokens, long targetTokens)
    {
        Inputs = inputs;
        Targets = targets;
        Positions = positions;
        RealTokens = realTokens;
        TargetTokens = targetTokens;
    }

    public Tensor Inputs { get; }

    public Tensor Targets { get; }

    public Tensor Positions { get; }

    /// <summary>Non-pad input tokens (throughput accounting).</summary>
    public long RealTokens { get; }

    public long TargetTokens { get; }

    public static TeacherForcedBatch Create(IReadOnlyList<(int[] Prompt, int[] Target)> pairs, Device device)
    {
        var batch = pairs.Count;
        var time = pairs.Max(p => p.Prompt.Length + p.Target.Length);
        var x = new long[batch * time];
        var y = new long[batch * time];
        Array.Fill(y, IgnoreIndex);
        long real = 0, targets = 0;
        for (var b = 0; b < batch; b++)
        {
            var (prompt, target) = pairs[b];
            var row = b * time;
            for (var i = 0; i < prompt.Length; i++)
            {
                x[row + i] = prompt[i];
            }
            for (var i = 0; i < target.Length; i++)
            {
                x[row + prompt.Length + i] = target[i];
                y[row + prompt.Length - 1 + i] = target[i];
            }
            real += prompt.Length + target.Length;
            targets += target.Length;
        }
        var positions = arange(time, dtype: ScalarType.Int64).unsqueeze(0).expand(batch, time);
        return new TeacherForcedBatch(
            tensor(x, [batch, time], device: device),
            tensor(y, [batch, time], device: device),
            positions.to(device),
            real,
            targets);
    }

    public void Dispose()
    {
        Inputs.Dispose();
        Targets.Dispose();
        Positions.Dispose();
    }
}
