using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Selection.Strategies;

namespace ActiveSynth.Core.Tests.Selection;

public sealed class DiversityStrategyTests
{
    [Theory]
    [InlineData(CoresetStart.FarthestFromMean, 1)]
    [InlineData(CoresetStart.FarthestFromMean, 2)]
    [InlineData(CoresetStart.Random, 3)]
    [InlineData(CoresetStart.Random, 4)]
    public void Coreset_covers_every_cluster(CoresetStart start, int seed)
    {
        var candidates = SelectionTestData.Clusters(25, seed);

        var picks = new CoresetStrategy(start).Select(candidates, 4, new Random(seed));

        Assert.Equal(4, picks.Select(p => SelectionTestData.ClusterOf(p.Id)).Distinct().Count());
        Assert.All(picks.Skip(1), p => Assert.True(p.Score > 50, $"distance to the nearest center {p.Score}"));
    }

    [Fact]
    public void Coreset_farthest_from_mean_start_is_deterministic_and_scores_shrink()
    {
        var candidates = SelectionTestData.Clusters(10, 9);
        var strategy = new CoresetStrategy();

        var a = strategy.Select(candidates, 12, new Random(1));
        var b = strategy.Select(candidates, 12, new Random(99));

        Assert.Equal(a.Select(p => p.Id), b.Select(p => p.Id));
        Assert.True(a.Skip(1).Zip(a.Skip(2)).All(p => p.First.Score >= p.Second.Score), "k-center distances are non-increasing");
        Assert.True(a[4].Score < 10, "after one center per cluster the distances are within-cluster");
    }

    [Fact]
    public void Loss_high_on_the_same_points_does_not_cover_the_clusters()
    {
        // Contrast: a ranking strategy piles into one cluster when that cluster has the highest signal.
        var candidates = SelectionTestData.Clusters(25, 1).Select(c => c with { OwnNll = c.Family == "k0" ? 5.0 : 1.0 }).ToList();

        var picks = new LossHighStrategy().Select(candidates, 4, new Random(1));

        Assert.Single(picks.Select(p => SelectionTestData.ClusterOf(p.Id)).Distinct());
    }

    [Fact]
    public void Badge_first_pick_has_the_largest_gradient_norm()
    {
        var candidates = SelectionTestData.Full(50, seed: 11, dim: 8);
        var largest = candidates.MaxBy(c => c.GradientEmbedding!.Sum(x => (double)x * x))!;

        var picks = new BadgeStrategy().Select(candidates, 5, new Random(0));

        Assert.Equal(largest.Id, picks[0].Id);
        Assert.Equal(Math.Sqrt(largest.GradientEmbedding!.Sum(x => (double)x * x)), picks[0].Score, 4);
        Assert.Equal(5, picks.Select(p => p.Id).Distinct().Count());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Badge_covers_the_clusters_starting_from_the_largest_norm(int seed)
    {
        var candidates = SelectionTestData.Clusters(25, seed, withNorms: true);

        var picks = new BadgeStrategy().Select(candidates, 4, new Random(seed));

        Assert.Equal("k3", SelectionTestData.ClusterOf(picks[0].Id));
        Assert.Equal(4, picks.Select(p => SelectionTestData.ClusterOf(p.Id)).Distinct().Count());
    }

    [Fact]
    public void Badge_is_seeded()
    {
        var candidates = SelectionTestData.Full(80, seed: 3, dim: 6);

        var a = new BadgeStrategy().Select(candidates, 20, new Random(1)).Select(p => p.Id).ToList();
        var b = new BadgeStrategy().Select(candidates, 20, new Random(1)).Select(p => p.Id).ToList();
        var c = new BadgeStrategy().Select(candidates, 20, new Random(2)).Select(p => p.Id).ToList();

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(a[0], c[0]);
    }

    [Fact]
    public void Badge_and_coreset_handle_identical_points_without_repeating()
    {
        var candidates = Enumerable.Range(0, 6).Select(i => new CandidateSignals($"p{i}", "f", 1) { Embedding = [1f, 1f], GradientEmbedding = [1f, 1f] }).ToList();

        var badge = new BadgeStrategy().Select(candidates, 6, new Random(0));
        var coreset = new CoresetStrategy().Select(candidates, 6, new Random(0));

        Assert.Equal(6, badge.Select(p => p.Id).Distinct().Count());
        Assert.Equal(6, coreset.Select(p => p.Id).Distinct().Count());
    }

    [Fact]
    public void Mismatched_embedding_dimensions_are_rejected_naming_the_candidate()
    {
        List<CandidateSignals> candidates =
        [
            new("a", "f", 1) { Embedding = [1f, 2f] },
            new("b", "f", 1) { Embedding = [1f, 2f, 3f] },
        ];

        var error = Assert.Throws<ArgumentException>(() => new CoresetStrategy().Select(candidates, 1, new Random(0)));

        Assert.Contains("'b'", error.Message, StringComparison.Ordinal);
    }
}
