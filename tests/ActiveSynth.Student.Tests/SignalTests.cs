using ActiveSynth.Core.Selection;
using ActiveSynth.Student.Scoring;
using TorchSharp;

namespace ActiveSynth.Student.Tests;

public sealed class SignalTests
{
    [Fact]
    public void Every_signal_is_present_when_asked_with_the_configured_shapes()
    {
        torch.set_num_threads(1);
        using var model = Tiny.Model(seed: 2);
        var items = LearningTests.Mixed();
        var result = StudentScorer.Score(model, items, SignalNeedsExtensions.StudentComputed, new ScoringSettings { BatchSize = 4, MaxNewTokens = 20 });

        Assert.Equal(items.Count, result.Items.Count);
        Assert.True(result.TokensProcessed > 0);
        for (var i = 0; i < items.Count; i++)
        {
            var s = result.Items[i];
            Assert.Equal(items[i].Id, s.ItemId);
            Assert.Equal(items[i].Family, s.Family);
            Assert.True(s.OwnMeanNll > 0 && double.IsFinite(s.OwnMeanNll!.Value));
            Assert.Equal(s.OwnMeanNll!.Value * s.TokenCount, s.OwnTotalNll!.Value, 3);
            Assert.NotNull(s.AnswerTokenNll);
            Assert.True(s.ReferenceMeanNll > 0 && s.ReferenceTotalNll > s.ReferenceMeanNll);
            Assert.False(s.Correct); // an untrained model
            Assert.InRange(s.MeanEntropy!.Value, 0, Math.Log(model.Config.VocabSize) + 1e-3);
            Assert.InRange(s.MeanMargin!.Value, 0, 1);
            Assert.Equal(Tiny.Config.DModel, s.Embedding!.Length);
            Assert.Equal(model.Config.VocabSize * Tiny.Config.DModel, s.GradientEmbedding!.Length);
            Assert.All(s.GradientEmbedding, g => Assert.True(float.IsFinite(g)));
            Assert.Contains(s.GradientEmbedding, g => g != 0);
        }
    }

    [Fact]
    public void Signals_not_asked_for_are_absent()
    {
        using var model = Tiny.Model(seed: 2);
        var result = StudentScorer.Score(model, LearningTests.Mixed(), SignalNeeds.ReferenceNll, new ScoringSettings());
        Assert.All(result.Items, s =>
        {
            Assert.NotNull(s.ReferenceMeanNll);
            Assert.Null(s.OwnMeanNll);
            Assert.Null(s.Correct);
            Assert.Null(s.Embedding);
            Assert.Null(s.GradientEmbedding);
            Assert.Equal("", s.StudentAnswer);
        });
    }

    [Fact]
    public void Badge_rows_sum_to_zero_over_the_vocabulary()
    {
        // (p − onehot) sums to 0 over the vocabulary at every position, so each hidden dimension's column does too.
        using var model = Tiny.Model(seed: 4);
        var s = StudentScorer.Score(model, LearningTests.Mixed(), SignalNeeds.GradientEmbedding, new ScoringSettings { MaxNewTokens = 10 }).Items[0];
        var d = Tiny.Config.DModel;
        var vocab = model.Config.VocabSize;
        for (var j = 0; j < d; j++)
        {
            double sum = 0;
            for (var v = 0; v < vocab; v++)
            {
                sum += s.GradientEmbedding![v * d + j];
            }
            Assert.Equal(0, sum, 3);
        }
    }

    [Fact]
    public void Cached_and_uncached_scoring_agree()
    {
        using var model = Tiny.Model(seed: 6);
        var items = LearningTests.Mixed();
        var a = StudentScorer.Score(model, items, SignalNeeds.OwnNll, new ScoringSettings { MaxNewTokens = 16 }).Items;
        var b = StudentScorer.Score(model, items, SignalNeeds.OwnNll, new ScoringSettings { MaxNewTokens = 16, UseKvCache = false }).Items;
        for (var i = 0; i < items.Count; i++)
        {
            Assert.Equal(a[i].StudentAnswer, b[i].StudentAnswer);
            Assert.Equal(a[i].OwnMeanNll!.Value, b[i].OwnMeanNll!.Value, 4);
        }
    }
}
