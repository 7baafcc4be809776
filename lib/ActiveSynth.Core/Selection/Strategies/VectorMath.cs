namespace ActiveSynth.Core.Selection.Strategies;

/// <summary>Small dense-vector helpers for the diversity strategies (coreset, badge).</summary>
internal static class VectorMath
{
    public static double SquaredDistance(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var d = 0; d < a.Length; d++)
        {
            var diff = a[d] - b[d];
            sum += diff * diff;
        }
        return sum;
    }

    public static double SquaredNorm(double[] a)
    {
        var sum = 0.0;
        foreach (var x in a)
        {
            sum += x * x;
        }
        return sum;
    }

    public static double[] Mean(double[][] vectors)
    {
        var mean = new double[vectors[0].Length];
        foreach (var v in vectors)
        {
            for (var d = 0; d < mean.Length; d++)
            {
                mean[d] += v[d];
            }
        }
        for (var d = 0; d < mean.Length; d++)
        {
            mean[d] /= vectors.Length;
        }
        return mean;
    }
}
