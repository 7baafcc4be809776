using System.Security.Cryptography;
using ActiveSynth.Contracts.V1;
using Google.Protobuf;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Engine.Specs;

/// <summary>
/// The built-in default run: the <see cref="EmbeddedRecipe"/> with loss-high, m = 64 for 8 rounds (512 samples: the curve rises
/// after about 250), a pool of 400 seeds and 120 test items. A few minutes on 2 CPU cores.
/// </summary>
public static class DefaultRunSpec
{
    public static RunSpec Create()
    {
        var spec = EmbeddedRecipe.Spec("loss-high", randomSeed: 1, samplesPerRound: 64, maxRounds: 8);
        spec.Name = "default (embedded, loss-high)";
        spec.Labels["default"] = "true";
        return spec;
    }

    /// <summary>A short stable hash of the spec (its protobuf bytes are deterministic for one spec).</summary>
    public static string Hash(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Convert.ToHexStringLower(SHA256.HashData(spec.ToByteArray()))[..12];
    }
}
