using ActiveSynth.Core.Selection;

namespace ActiveSynth.Core.Tests.Selection;

internal static class SelectionTestData
{
    /// <summary>Candidates with every signal filled, deterministic from <paramref name="seed"/>.</summary>
    public static List<CandidateSignals> Full(int n, int seed = 7, int dim = 4)
    {
        var rng = new Random(seed);
        string[] families = ["copy", "rev", "shift"];
        var list = new List<CandidateSignals>(n);
        for (var i = 0; i < n; i++)
        {
            list.Add(new CandidateSignals($"c{i:D3}", families[i % families.Length], 1 + (i % 4))
            {
                OwnNll = rng.NextDouble() * 3,
                AnswerNll = rng.NextDouble() * 3,
                ReferenceNll = rng.NextDouble() * 3,
                Correct = rng.Next(2) == 0,
                Entropy = rng.NextDouble() * 2,
                Margin = rng.NextDouble(),
                Reward = rng.NextDouble(),
                JudgeDifficulty = rng.NextDouble(),
                Embedding = Vector(rng, dim),
                GradientEmbedding = Vector(rng, dim),
            });
        }
        return list;
    }

    /// <summary>
    /// Four well-separated Gaussian clusters (centers 100 apart, std 1) of <paramref name="perCluster"/> points
    /// each; the family of a candidate is its cluster ("k0".."k3"). Cluster 3 is the largest in norm when
    /// <paramref name="withNorms"/>, so BADGE's first pick is known.
    /// </summary>
    public static List<CandidateSignals> Clusters(int perCluster, int seed, bool withNorms = false)
    {
        var rng = new Random(seed);
        double[][] centers = [[100, 0, 0], [0, 100, 0], [0, 0, 100], [-100, -100, withNorms ? -100 : 0]];
        var list = new List<CandidateSignals>();
        for (var k = 0; k < centers.Length; k++)
        {
            for (var i = 0; i < perCluster; i++)
            {
                var v = centers[k].Select(c => (float)(c + Gaussian(rng))).ToArray();
                list.Add(new CandidateSignals($"k{k}-{i:D2}", $"k{k}", 1) { Embedding = v, GradientEmbedding = v });
            }
        }
        return list;
    }

    public static string ClusterOf(string id) => id[..2];

    private static float[] Vector(Random rng, int dim) => [.. Enumerable.Range(0, dim).Select(_ => (float)Gaussian(rng))];

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - rng.NextDouble())) * Math.Cos(2.0 * Math.PI * rng.NextDouble());
}
