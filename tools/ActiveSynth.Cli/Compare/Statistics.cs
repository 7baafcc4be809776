namespace ActiveSynth.Cli.Compare;

/// <summary>The few statistics a comparison needs: mean ± sample std, and a percentile bootstrap of a mean.</summary>
public static class Statistics
{
    public static double Mean(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : values.Average();

    /// <summary>Sample standard deviation (n − 1); 0 for a single value.</summary>
    public static double Std(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
        {
            return 0;
        }
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    /// <summary>95 % percentile bootstrap interval of the mean, deterministic for <paramref name="seed"/>.</summary>
    public static (double Low, double High) BootstrapMeanCi(IReadOnlyList<double> values, int resamples = 10_000, int seed = 12345)
    {
        if (values.Count == 0)
        {
            return (double.NaN, double.NaN);
        }
        var rng = new Random(seed);
        var means = new double[resamples];
        for (var r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (var i = 0; i < values.Count; i++)
            {
                sum += values[rng.Next(values.Count)];
            }
            means[r] = sum / values.Count;
        }
        Array.Sort(means);
        return (means[(int)(0.025 * (resamples - 1))], means[(int)(0.975 * (resamples - 1))]);
    }

    /// <summary>Area under the learning curve: mean accuracy over rounds 1..R (round 0, the shared base, excluded).</summary>
    public static double Auc(IReadOnlyList<double> accuracyByRound) =>
        accuracyByRound.Count <= 1 ? double.NaN : accuracyByRound.Skip(1).Average();
}
