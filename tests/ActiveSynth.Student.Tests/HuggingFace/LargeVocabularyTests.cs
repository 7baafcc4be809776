using ActiveSynth.Student.HuggingFace;
using ActiveSynth.Student.Scoring;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Tests.HuggingFace;

/// <summary>
/// A Qwen-sized vocabulary (151 936) with a tiny model: the scorer must not hold every logit of a large batch at once.
/// Decoding: a step's logits pass the limit the decoder holds, so each step is summarised and let go instead of all
/// steps' logits being kept to the end (10 GB at batch 256 and 64 steps). The reference loss: the LM head runs over
/// slices of the target positions (all at once would be 9 GB at batch 256). Either way each row's figures are its own.
/// </summary>
public sealed class LargeVocabularyTests
{
    [Fact]
    public void Per_step_statistics_of_a_large_batch_are_each_rows_own()
    {
        using var student = Student();
        var questions = Enumerable.Range(0, 112).Select(i => $"copy: {new string((char)('a' + i % 26), 1 + i % 7)}").ToList();
        var batch = student.DecodeGreedy(questions, 4, useKvCache: true);
        foreach (var i in new[] { 0, 5, 57, 111 })
        {
            var alone = student.DecodeGreedy([questions[i]], 4, useKvCache: true)[0];
            Assert.Equal(alone.Tokens, batch[i].Tokens);
            Assert.Equal(alone.LogProbs.Length, batch[i].LogProbs.Length);
            for (var t = 0; t < alone.LogProbs.Length; t++)
            {
                Assert.Equal(alone.LogProbs[t], batch[i].LogProbs[t], 3);
                Assert.Equal(alone.Entropies[t], batch[i].Entropies[t], 3);
                Assert.Equal(alone.Margins[t], batch[i].Margins[t], 3);
            }
        }
        Assert.True(batch.Select(d => d.Entropies[0]).Distinct().Count() > 1, "the rows' statistics should differ; the test would not see a mix-up");
    }

    [Fact]
    public void The_reference_loss_in_slices_is_each_items_own()
    {
        using var student = Student();
        // 6 answers of about 60 tokens: about 360 target positions, more than the 110 a 64 MB slice holds at this vocabulary.
        var pairs = Enumerable.Range(0, 6).Select(i => student.Pair($"repeat {i}", student.Tokenizer.Encode(new string((char)('k' + i), 55 + i)), terminate: true)).ToList();
        Assert.True(pairs.Sum(p => p.Target.Length) > 2 * StudentScorer.LogitsSliceBytes / (4 * 151936), "the test needs more than two slices");
        var (means, totals, _) = StudentScorer.SequenceNll(student, pairs);
        for (var i = 0; i < pairs.Count; i++)
        {
            var (mean, total, _) = StudentScorer.SequenceNll(student, [pairs[i]]);
            Assert.Equal(mean[0], means[i], 3);
            Assert.Equal(total[0], totals[i], 2);
        }
        Assert.True(means.Distinct().Count() > 1, "the items' losses should differ; the test would not see a mix-up");
    }

    private static HfStudent Student()
    {
        set_num_threads(1);
        var spec = new HfBaseSpec { Architecture = HfArchitecture.Qwen2, HiddenSize = 16, Layers = 1, Heads = 2, KeyValueHeads = 1, IntermediateSize = 24, MaxPositions = 128 };
        var vocabulary = ByteLevelVocabulary.For(HfArchitecture.Qwen2);
        // 112 rows × 151 936 × 4 bytes = 68 MB a step: above the 64 MB the decoder holds.
        var config = spec.ModelConfig(vocabulary) with { VocabSize = 151936 };
        var student = HfStudent.CreateRandom(config, HfTokenizer.FromJson(vocabulary.TokenizerJson()), seed: 21, new HfStudentOptions { MaxContext = 128 });
        using (no_grad())
        {
            // Larger weights than transformers' 0.02, so the distributions (and the statistics) differ from row to row.
            foreach (var (_, parameter) in student.Network.named_parameters())
            {
                parameter.mul_(20);
            }
        }
        return student;
    }
}
