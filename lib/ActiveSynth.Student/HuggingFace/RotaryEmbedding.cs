using static TorchSharp.torch;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// Rotary position embeddings in transformers' "rotate half" convention: inverse frequencies θ^(−2i/d) for
/// i &lt; d/2 (with Llama 3 frequency scaling when the config has it), angles computed in float32 per position, then
/// x·cos + rotate_half(x)·sin with cos/sin cast to the activations' dtype.
/// </summary>
public sealed class RotaryEmbedding
{
    private readonly float[] _inverseFrequencies;

    public RotaryEmbedding(HfModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _inverseFrequencies = InverseFrequencies(config);
    }

    public static float[] InverseFrequencies(HfModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var half = config.HeadDim / 2;
        var inv = new double[half];
        for (var i = 0; i < half; i++)
        {
            inv[i] = 1.0 / Math.Pow(config.RopeTheta, 2.0 * i / config.HeadDim);
        }
        if (config.RopeScaling is { } s)
        {
            // transformers' _compute_llama3_parameters: long wavelengths divided by the factor, short ones kept, a smooth blend between.
            var lowWavelength = s.OriginalMaxPositions / s.LowFreqFactor;
            var highWavelength = s.OriginalMaxPositions / s.HighFreqFactor;
            for (var i = 0; i < half; i++)
            {
                var wavelength = 2 * Math.PI / inv[i];
                if (wavelength > lowWavelength)
                {
                    inv[i] /= s.Factor;
                }
                else if (wavelength >= highWavelength)
                {
                    var smooth = (s.OriginalMaxPositions / wavelength - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
                    inv[i] = (1 - smooth) * inv[i] / s.Factor + smooth * inv[i];
                }
            }
        }
        return [.. inv.Select(x => (float)x)];
    }

    /// <summary>cos and sin (B,1,T,head_dim) for integer <paramref name="positions"/> (B,T).</summary>
    public (Tensor Cos, Tensor Sin) CosSin(Tensor positions, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(positions);
        var inv = tensor(_inverseFrequencies, device: positions.device);
        var angles = positions.to(ScalarType.Float32).unsqueeze(-1) * inv;
        var both = cat([angles, angles], -1).unsqueeze(1);
        return (both.cos().to(dtype), both.sin().to(dtype));
    }

    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        ArgumentNullException.ThrowIfNull(x);
        var half = x.shape[^1] / 2;
        var rotated = cat([x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half)], -1);
        return x * cos + rotated * sin;
    }
}
