using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.HuggingFace;
using ActiveSynth.Student.Training;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Tests.HuggingFace;

/// <summary>The Hugging Face student on a GPU: the same numbers as on the CPU. Never run here (no GPU was available).</summary>
public sealed class HfCudaTests
{
    private static readonly ITaskFamily[] Families = [.. TaskFamilyRegistry.EmbeddedBenchmarkFamilies.Select(TaskFamilyRegistry.Default.Get)];

    [CudaFact]
    public void A_base_and_a_lora_step_on_cuda_match_the_cpu()
    {
        var directory = Path.Combine(Path.GetTempPath(), "activesynth-cuda-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (HfBasePretrainer.PretrainTo(directory, new HfBaseSpec { HiddenSize = 32, Layers = 2, Heads = 4, KeyValueHeads = 2, IntermediateSize = 48, MaxPositions = 64, Steps = 5 }, Families))
            {
            }
            using var cpu = HfStudent.Load(directory);
            using var gpu = HfStudent.Load(directory, device: CUDA);
            var probe = new[] { 256, 99, 111, 112, 121, 32, 97, 98, 99 };
            var expected = HfTestSupport.Logits(cpu, probe);
            var actual = HfTestSupport.Logits(gpu, probe);
            Assert.True(HfTestSupport.MaxDifference(expected, actual) <= 1e-3 * Math.Max(1, expected.Max(Math.Abs)), "CUDA logits differ from the CPU's");

            var items = TaskSetGenerator.Generate(Families, 1, 1, 8, 3, "cuda");
            var settings = new TrainingSettings { Steps = 3, BatchSize = 4, LearningRate = 1e-2, ReplayFraction = 0, Seed = 1 };
            LoraAdapter.Attach(cpu, new LoraSettings { Rank = 4, Alpha = 8, Dropout = 0 }, seed: 2);
            LoraAdapter.Attach(gpu, new LoraSettings { Rank = 4, Alpha = 8, Dropout = 0 }, seed: 2);
            using (no_grad())
            {
                // CUDA's generator draws other numbers than the CPU's for the same seed: start both from the CPU's A.
                foreach (var (from, to) in LoraAdapter.PeftTensors(cpu).Zip(LoraAdapter.PeftTensors(gpu)))
                {
                    to.Value.copy_(from.Value);
                }
            }
            foreach (var student in new[] { cpu, gpu })
            {
                LoraTrainer.Train(student, settings, new TrainingBatchSampler(items, null, 0, 4, 1));
            }
            Assert.Equal(LoraTrainer.EvaluateLoss(cpu, items), LoraTrainer.EvaluateLoss(gpu, items), 3);
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
