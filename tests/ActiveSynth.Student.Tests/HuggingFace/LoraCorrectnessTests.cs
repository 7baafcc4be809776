using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Grading;
using ActiveSynth.Student.HuggingFace;
using ActiveSynth.Student.Modeling;
using ActiveSynth.Student.Scoring;
using ActiveSynth.Student.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Tests.HuggingFace;

/// <summary>
/// LoRA computed three independent ways must agree: folded into the base weights, differentiated by autograd and by
/// finite differences, and saved then reloaded. Tiny models made with the same code as <c>students pretrain</c>.
/// </summary>
public sealed class LoraCorrectnessTests
{
    private static readonly ITaskFamily[] Families = [.. TaskFamilyRegistry.EmbeddedBenchmarkFamilies.Select(TaskFamilyRegistry.Default.Get)];

    private static HfStudent Tiny(HfArchitecture architecture, ScalarType dtype, long seed)
    {
        var spec = new HfBaseSpec { Architecture = architecture, HiddenSize = 16, Layers = 2, Heads = 4, KeyValueHeads = 2, IntermediateSize = 24, MaxPositions = 64 };
        var vocabulary = ByteLevelVocabulary.For(architecture);
        var student = HfStudent.CreateRandom(spec.ModelConfig(vocabulary), HfTokenizer.FromJson(vocabulary.TokenizerJson()), seed,
            new HfStudentOptions { Dtype = dtype, MaxContext = 64 });
        // Random weights at transformers' 0.02 make near-uniform outputs; larger ones give the adapters something to move.
        using var noGrad = no_grad();
        foreach (var (name, parameter) in student.Network.named_parameters().Where(p => !p.name.EndsWith("norm.weight", StringComparison.Ordinal)))
        {
            parameter.mul_(10);
        }
        return student;
    }

    /// <summary>B starts at zero (the adapter changes nothing); a nonzero B makes every comparison below meaningful.</summary>
    private static void RandomizeB(HfStudent student, long seed)
    {
        using var noGrad = no_grad();
        var generator = new Generator((ulong)seed);
        foreach (var (_, linear) in student.Network.Projections().Where(p => p.Linear.HasLora))
        {
            linear.Lora!.Value.B.normal_(0, 0.2, generator);
        }
    }

    private static List<TaskItem> Items() =>
    [
        .. TaskSetGenerator.Generate(Families, 1, 2, 6, randomSeed: 5, "lora"),
    ];

    [Theory]
    [InlineData(HfArchitecture.Qwen2)]
    [InlineData(HfArchitecture.Llama)]
    public void An_adapter_merged_into_the_base_gives_the_logits_of_base_plus_adapter(HfArchitecture architecture)
    {
        set_num_threads(1);
        using var student = Tiny(architecture, ScalarType.Float32, seed: 21);
        var probe = new[] { 256, 114, 101, 118, 32, 97, 98, 99, 10, 35 };
        var baseLogits = HfTestSupport.Logits(student, probe);
        LoraAdapter.Attach(student, new LoraSettings { Rank = 4, Alpha = 8, Dropout = 0.1 }, seed: 4);
        RandomizeB(student, 5);
        var adapted = HfTestSupport.Logits(student, probe); // eval mode: dropout off, as PEFT's merge assumes
        Assert.True(HfTestSupport.MaxDifference(baseLogits, adapted) > 0.05, "the adapter must move the logits for the comparison to mean anything");

        var directory = Path.Combine(Path.GetTempPath(), "activesynth-merged-" + Guid.NewGuid().ToString("N"));
        try
        {
            HfCheckpointWriter.Write(student, ByteLevelVocabulary.For(architecture), directory);
            using var merged = HfStudent.Load(directory);
            Assert.Null(merged.AttachedLora);
            Assert.DoesNotContain(merged.Network.named_parameters(), p => p.name.Contains("lora_", StringComparison.Ordinal));
            HfTestSupport.AssertSameLogits(adapted, HfTestSupport.Logits(merged, probe));
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public void The_adapter_gradient_equals_the_finite_difference_gradient()
    {
        set_num_threads(1);
        using var student = Tiny(HfArchitecture.Qwen2, ScalarType.Float64, seed: 31);
        var adapters = LoraAdapter.Attach(student, new LoraSettings { Rank = 2, Alpha = 4, Dropout = 0 }, seed: 6);
        RandomizeB(student, 7);
        student.Network.eval();
        using var batch = TeacherForcedBatch.Create([.. Items().Select(student.ReferencePair)], student.Device);
        double Loss()
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            return LoraTrainer.Loss(student, batch).item<double>();
        }

        foreach (var p in adapters)
        {
            p.grad?.zero_();
        }
        using (var scope = NewDisposeScope())
        {
            LoraTrainer.Loss(student, batch).backward();
        }
        var analytic = adapters.Select(p => p.grad!.clone().contiguous().data<double>().ToArray()).ToList();
        Assert.True(analytic.Max(g => g.Max(Math.Abs)) > 1e-3, "gradients this small would make the comparison vacuous");

        // Every A and B of the first layer's q_proj and the last layer's down_proj, and a seeded sample of the rest.
        var rng = new Random(8);
        const double h = 1e-5;
        var checkedCount = 0;
        for (var k = 0; k < adapters.Count; k++)
        {
            var flat = adapters[k].detach().view(-1);
            var count = (int)flat.shape[0];
            var indices = k is 0 or 1 || k >= adapters.Count - 2 ? Enumerable.Range(0, count) : Enumerable.Range(0, 3).Select(_ => rng.Next(count));
            foreach (var i in indices)
            {
                double original;
                using (no_grad())
                {
                    original = flat[i].item<double>();
                    flat[i].fill_(original + h);
                }
                var plus = Loss();
                using (no_grad())
                {
                    flat[i].fill_(original - h);
                }
                var minus = Loss();
                using (no_grad())
                {
                    flat[i].fill_(original);
                }
                var numeric = (plus - minus) / (2 * h);
                var g = analytic[k][i];
                Assert.True(Math.Abs(g - numeric) <= 1e-7 + 1e-5 * Math.Abs(numeric),
                    $"adapter tensor {k} entry {i}: autograd {g:E6}, finite difference {numeric:E6}");
                checkedCount++;
            }
        }
        Assert.True(checkedCount > 100, $"{checkedCount} entries checked");
    }

    [Fact]
    public void A_saved_and_reloaded_adapter_scores_every_signal_the_same()
    {
        set_num_threads(1);
        var directory = Path.Combine(Path.GetTempPath(), "activesynth-lora-scores-" + Guid.NewGuid().ToString("N"));
        var items = Items();
        var graders = new GraderLookup(Families);
        const SignalNeeds signals = SignalNeeds.OwnNll | SignalNeeds.AnswerNll | SignalNeeds.ReferenceNll | SignalNeeds.Correctness
            | SignalNeeds.EntropyMargin | SignalNeeds.Embedding | SignalNeeds.GradientEmbedding;
        var settings = new ScoringSettings { BatchSize = 4, MaxNewTokens = 12 };
        try
        {
            IReadOnlyList<ItemScore> trained;
            using (var made = HfBasePretrainer.PretrainTo(Path.Combine(directory, "base"),
                new HfBaseSpec { HiddenSize = 32, Layers = 2, Heads = 4, KeyValueHeads = 2, IntermediateSize = 48, MaxPositions = 96, Steps = 20, BatchSize = 8, LearningRate = 5e-3 }, Families))
            {
                LoraAdapter.Attach(made.Student, new LoraSettings { Rank = 4, Alpha = 8, Dropout = 0.05 }, seed: 9);
                LoraTrainer.Train(made.Student, new TrainingSettings { Steps = 6, BatchSize = 4, LearningRate = 2e-2, ReplayFraction = 0, Seed = 2 },
                    new TrainingBatchSampler(items, null, 0, 4, 2));
                LoraAdapter.Save(made.Student, Path.Combine(directory, "adapter"), "base");
                trained = StudentScorer.Score(made.Student, items, signals, settings, graders).Items;
            }

            using var reloaded = HfStudent.Load(Path.Combine(directory, "base"));
            var baseScores = StudentScorer.Score(reloaded, items, signals, settings, graders).Items;
            LoraAdapter.Load(reloaded, Path.Combine(directory, "adapter"));
            var again = StudentScorer.Score(reloaded, items, signals, settings, graders).Items;

            Assert.NotEqual(baseScores.Select(s => s.ReferenceMeanNll), trained.Select(s => s.ReferenceMeanNll)); // the adapter was trained
            for (var i = 0; i < items.Count; i++)
            {
                var (a, b) = (trained[i], again[i]);
                Assert.Equal(a.StudentAnswer, b.StudentAnswer);
                Assert.Equal(a.Correct, b.Correct);
                Assert.Equal(a.TokenCount, b.TokenCount);
                foreach (var (x, y) in new[] { (a.OwnMeanNll, b.OwnMeanNll), (a.OwnTotalNll, b.OwnTotalNll), (a.AnswerTokenNll, b.AnswerTokenNll),
                    (a.ReferenceMeanNll, b.ReferenceMeanNll), (a.ReferenceTotalNll, b.ReferenceTotalNll), (a.MeanEntropy, b.MeanEntropy), (a.MeanMargin, b.MeanMargin) })
                {
                    Assert.NotNull(x);
                    Assert.Equal(x!.Value, y!.Value, 1e-5);
                }
                Assert.Equal(a.Embedding!.Length, b.Embedding!.Length);
                Assert.True(a.Embedding.Zip(b.Embedding).All(p => Math.Abs(p.First - p.Second) <= 1e-5), "embedding differs");
                Assert.True(a.GradientEmbedding!.Zip(b.GradientEmbedding!).All(p => Math.Abs(p.First - p.Second) <= 1e-5), "gradient embedding differs");
            }
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
