using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.HuggingFace;
using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Tests.HuggingFace;

internal static class HfTestSupport
{
    /// <summary>The network's float32 logits (T, vocab) for one sequence at positions 0..T−1, row-major.</summary>
    public static float[] Logits(HfStudent student, int[] ids)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]);
        var positions = arange(ids.Length, dtype: ScalarType.Int64).unsqueeze(0);
        return student.Network.Forward(x, positions, null, null, out _).cpu().data<float>().ToArray();
    }

    /// <summary>Largest |model − reference| over all logits, and the reference's largest |logit| (the scale the error compares to).</summary>
    /// <summary>
    /// Same logits up to float rounding: separately allocated copies of the same weights may take different BLAS
    /// kernels, so bit equality is not promised; a wrong weight or a missing adapter moves logits far more.
    /// </summary>
    public static void AssertSameLogits(float[] expected, float[] actual)
    {
        var error = MaxDifference(expected, actual);
        var scale = expected.Max(Math.Abs);
        Assert.True(error <= 1e-5 * Math.Max(1, scale), $"max |logit difference| {error} at scale {scale}");
    }

    public static double MaxDifference(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        return expected.Zip(actual, (a, b) => Math.Abs((double)a - b)).Max();
    }

    public static (double MaxError, double Scale) Compare(float[] model, double[][] reference)
    {
        var vocab = reference[0].Length;
        double error = 0, scale = 0;
        for (var t = 0; t < reference.Length; t++)
        {
            for (var v = 0; v < vocab; v++)
            {
                error = Math.Max(error, Math.Abs(model[t * vocab + v] - reference[t][v]));
                scale = Math.Max(scale, Math.Abs(reference[t][v]));
            }
        }
        return (error, scale);
    }

    public static List<TaskItem> Items() =>
    [
        new("a1", "copy", 1, "copy: abc", "abc\n#### abc"),
        new("a2", "copy", 1, "copy: the cat", "the cat\n#### the cat"),
        new("a3", "rev", 1, "reverse: 12", "21\n#### 21"),
        new("a4", "rev", 1, "reverse: on", "no\n#### no"),
    ];

    public static byte[] Bytes(Tensor t) => t.detach().cpu().contiguous().bytes.ToArray();
}
