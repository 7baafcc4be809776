using ActiveSynth.Core.Selection;
using ActiveSynth.Student.HuggingFace;
using ActiveSynth.Student.Scoring;
using TorchSharp;

namespace ActiveSynth.Student.Tests.HuggingFace;

public sealed class HfScoringTests
{
    [Fact]
    public void The_shared_scorer_computes_every_signal_for_a_hugging_face_student()
    {
        torch.set_num_threads(1);
        using var checkpoint = TinyHfCheckpoint.Qwen(seed: 21);
        using var student = HfStudent.Load(checkpoint.Directory);
        var items = HfTestSupport.Items();
        var result = StudentScorer.Score(student, items, SignalNeedsExtensions.StudentComputed, new ScoringSettings { BatchSize = 3, MaxNewTokens = 6 });

        Assert.Equal(items.Count, result.Items.Count);
        var decoded = student.DecodeGreedy([.. items.Select(i => i.Question)], 6, useKvCache: true);
        for (var i = 0; i < items.Count; i++)
        {
            var s = result.Items[i];
            Assert.Equal(items[i].Id, s.ItemId);
            Assert.Equal(student.DecodeText(decoded[i].Tokens), s.StudentAnswer);
            Assert.Equal(decoded[i].ScoredTokenCount, s.TokenCount);
            Assert.True(s.OwnMeanNll > 0 && double.IsFinite(s.OwnMeanNll!.Value));
            Assert.Equal(s.OwnMeanNll!.Value * s.TokenCount, s.OwnTotalNll!.Value, 3);
            Assert.NotNull(s.AnswerTokenNll);
            Assert.False(s.Correct);
            Assert.InRange(s.MeanEntropy!.Value, 0, Math.Log(student.VocabSize) + 1e-3);
            Assert.InRange(s.MeanMargin!.Value, 0, 1);
            Assert.Equal(checkpoint.Hidden, s.Embedding!.Length);
            Assert.Equal(checkpoint.Vocab * checkpoint.Hidden, s.GradientEmbedding!.Length);
            Assert.Contains(s.GradientEmbedding, g => g != 0);
            // The reference NLL is the LoRA trainer's loss on the same item (same pair, same forward).
            Assert.Equal(LoraTrainer.EvaluateLoss(student, [items[i]]), s.ReferenceMeanNll!.Value, 4);
        }
    }

    [Fact]
    public void The_own_answer_nll_from_decoding_equals_a_teacher_forced_pass_over_the_own_answer()
    {
        torch.set_num_threads(1);
        using var checkpoint = TinyHfCheckpoint.Qwen(seed: 22);
        using var student = HfStudent.Load(checkpoint.Directory);
        var item = HfTestSupport.Items()[1];
        var decoded = student.DecodeGreedy([item.Question], 8, useKvCache: true)[0];
        var (mean, total, _) = StudentScorer.SequenceNll(student, [student.OwnAnswerPair(item.Question, decoded)]);
        Assert.Equal(-decoded.LogProbs.Sum(x => (double)x), total[0], 3);
        Assert.Equal(-decoded.LogProbs.Average(x => (double)x), mean[0], 4);
    }
}

public sealed class HfEvaluationTests
{
    [Fact]
    public void The_shared_evaluator_grades_a_hugging_face_students_greedy_answers()
    {
        using var checkpoint = TinyHfCheckpoint.Qwen(seed: 23);
        using var student = HfStudent.Load(checkpoint.Directory);
        var items = HfTestSupport.Items();
        var report = ActiveSynth.Student.Evaluation.StudentEvaluator.Evaluate(student, items, batchSize: 3, maxNewTokens: 5);
        Assert.Equal(items.Count, report.Total);
        Assert.Equal(0, report.Correct); // random weights
        var decoded = student.DecodeGreedy([.. items.Select(i => i.Question)], 5, useKvCache: true);
        Assert.Equal(decoded.Select(d => student.DecodeText(d.Tokens)), report.Items.Select(r => r.StudentAnswer));
    }
}
