using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Grading;
using ActiveSynth.Student.HuggingFace;
using ActiveSynth.Student.Scoring;
using TorchSharp;

namespace ActiveSynth.Student.Tests.HuggingFace;

/// <summary>What scoring must not spend: no decoding for the reference loss alone, and no reordering visible to the caller.</summary>
public sealed class HfScoringCostTests
{
    private static readonly ITaskFamily[] Families = [.. TaskFamilyRegistry.EmbeddedBenchmarkFamilies.Select(TaskFamilyRegistry.Default.Get)];

    private static HfPretrainingResult Tiny() => HfBasePretrainer.Pretrain(
        new HfBaseSpec { HiddenSize = 32, Layers = 2, Heads = 4, KeyValueHeads = 2, IntermediateSize = 48, MaxPositions = 96, Steps = 3, BatchSize = 4 }, Families);

    [Fact]
    public void The_reference_loss_alone_gt_loss_high_never_decodes()
    {
        torch.set_num_threads(1);
        using var made = Tiny();
        var items = TaskSetGenerator.Generate(Families, 1, 4, 12, 3, "gt");
        var scores = StudentScorer.Score(made.Student, items, SignalNeeds.ReferenceNll, new ScoringSettings { BatchSize = 5, MaxNewTokens = 40 }, new GraderLookup(Families));

        // Every token processed is a prompt or reference token of one teacher-forced pass: none was generated.
        var referenceTokens = items.Select(made.Student.ReferencePair).Sum(p => (long)p.Prompt.Length + p.Target.Length);
        Assert.Equal(referenceTokens, scores.TokensProcessed);
        Assert.All(scores.Items, s =>
        {
            Assert.Equal("", s.StudentAnswer);
            Assert.Null(s.OwnMeanNll);
            Assert.Null(s.Correct);
            Assert.NotNull(s.ReferenceMeanNll);
        });
    }

    [Fact]
    public void Scoring_in_batches_of_mixed_lengths_returns_each_item_its_own_scores_in_input_order()
    {
        torch.set_num_threads(1);
        using var made = Tiny();
        // Lengths interleaved (d4, d1, d3, d2, ...): every batch pads its short rows.
        var items = TaskSetGenerator.Generate(Families, 1, 4, 12, 4, "sort").OrderBy(i => (i.Id.GetHashCode(StringComparison.Ordinal) & 7) * 10 - i.Difficulty).ToList();
        const SignalNeeds signals = SignalNeeds.OwnNll | SignalNeeds.ReferenceNll | SignalNeeds.Correctness;
        var graders = new GraderLookup(Families);
        var batched = StudentScorer.Score(made.Student, items, signals, new ScoringSettings { BatchSize = 4, MaxNewTokens = 24 }, graders).Items;
        var one = StudentScorer.Score(made.Student, items, signals, new ScoringSettings { BatchSize = 1, MaxNewTokens = 24 }, graders).Items;

        Assert.Equal(items.Select(i => i.Id), batched.Select(s => s.ItemId));
        for (var i = 0; i < items.Count; i++)
        {
            Assert.Equal(one[i].StudentAnswer, batched[i].StudentAnswer);
            Assert.Equal(one[i].ReferenceMeanNll!.Value, batched[i].ReferenceMeanNll!.Value, 4);
            Assert.Equal(one[i].OwnMeanNll!.Value, batched[i].OwnMeanNll!.Value, 4);
        }
    }
}
