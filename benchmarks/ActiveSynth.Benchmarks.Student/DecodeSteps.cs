using System.Diagnostics;
using System.Text.Json.Nodes;
using ActiveSynth.Student;
using ActiveSynth.Student.HuggingFace;
using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Benchmarks.Student;

/// <summary>
/// Greedy decoding at batch 1 of the Qwen2.5-0.5B shape (random weights), one path after another in this process, each
/// against the read-bandwidth anchor measured right before and after it: what each decode optimisation does to the weight
/// bytes read per second. A step's time is the marginal cost of one more token, (time for N tokens − time for 1) / (N − 1),
/// so the prompt's forward (a GEMM, not a weight stream) is not in it; end-to-end tokens/s is recorded beside it.
/// Before the paths, the products alone: libtorch's linear against the kernel on the model's three weight shapes, each
/// shape cycled over enough copies to leave the caches. With --spin-child the same paths run again in a child process
/// whose OpenMP workers spin (libgomp's default), the effect of the wait policy.
/// </summary>
public static class DecodeSteps
{
    private sealed record Path(string Name, string Change, ScalarType Dtype, bool Kernel, bool GroupedAttention);

    private static readonly Path[] Paths =
    [
        new("fp32-libtorch", "as published: float32 weights, libtorch's linear, the cache repeated per group for attention", ScalarType.Float32, false, false),
        new("fp32-kernel", "+ the C# kernel (SmallBatchLinear) for the projections and the LM head", ScalarType.Float32, true, false),
        new("fp32-kernel-grouped", "+ a step's attention by grouped broadcast, no repeated cache (float32 scores)", ScalarType.Float32, true, true),
        new("bf16-libtorch", "bfloat16 weights, libtorch's linear and attention", ScalarType.BFloat16, false, false),
        new("bf16-kernel-grouped", "bfloat16 weights + the kernel + grouped attention: the default path for a bfloat16 checkpoint", ScalarType.BFloat16, true, true),
        new("fp16-libtorch", "float16 weights, libtorch (its float16 GEMV is fast, its GEMM for the prompt is not)", ScalarType.Float16, false, false),
    ];

    public static JsonObject Run(int threads, int layers, int newTokens, int reps, IReadOnlyCollection<string> only)
    {
        set_num_threads(threads);
        var result = new JsonObject
        {
            ["benchmark"] = "student-hf decode steps",
            ["code_path"] = "HfStudent.DecodeGreedy (HfGreedyDecoder, HfCausalLm, SmallBatchLinear) at batch 1, KV cache on",
            ["layers"] = layers,
            ["threads"] = threads,
            ["new_tokens"] = newTokens,
            ["reps"] = reps,
            ["openmp_wait_policy"] = OpenMpWaitPolicyName(),
            ["load_average_at_start"] = HuggingFaceBenchmark.LoadAverage(),
        };
        if (only.Count == 0)
        {
            result["products"] = Products(threads);
        }
        var tokenizer = HuggingFaceBenchmark.ByteTokenizer();
        var steps = new JsonArray();
        foreach (var path in Paths.Where(p => only.Count == 0 || only.Contains(p.Name)))
        {
            DecodePaths.SmallBatchKernel = path.Kernel;
            DecodePaths.GroupedStepAttention = path.GroupedAttention;
            steps.Add(Measure(path, threads, layers, newTokens, reps, tokenizer));
        }
        DecodePaths.SmallBatchKernel = true;
        DecodePaths.GroupedStepAttention = true;
        result["steps"] = steps;
        result["load_average_at_end"] = HuggingFaceBenchmark.LoadAverage();
        return result;
    }

    private static JsonObject Measure(Path path, int threads, int layers, int newTokens, int reps, HfTokenizer tokenizer)
    {
        var before = ReadBandwidthAnchor.Measure(threads);
        using var student = HfStudent.CreateRandom(HuggingFaceBenchmark.Qwen05B(layers), tokenizer, seed: 1, new HfStudentOptions { Dtype = path.Dtype });
        var questions = new[] { "What is 17 times 23? Answer with steps." };
        student.DecodeGreedy(questions, 2, useKvCache: true); // warm-up
        var full = new List<double>();
        var first = new List<double>();
        long generated = 0;
        for (var r = 0; r < reps; r++)
        {
            // Interleaved, so a burst of load hits both.
            var sw = Stopwatch.StartNew();
            generated = student.DecodeGreedy(questions, newTokens, useKvCache: true).Sum(d => (long)d.LogProbs.Length);
            full.Add(sw.Elapsed.TotalSeconds);
            sw.Restart();
            student.DecodeGreedy(questions, 1, useKvCache: true);
            first.Add(sw.Elapsed.TotalSeconds);
        }
        var after = ReadBandwidthAnchor.Measure(threads);
        var weightBytes = student.Network.parameters().Sum(p => p.numel() * p.ElementSize);
        var step = (HuggingFaceBenchmark.Median(full) - HuggingFaceBenchmark.Median(first)) / (generated - 1);
        var read = weightBytes / step / 1e9;
        var anchor = (before["read_gb_per_second_median"]!.GetValue<double>() + after["read_gb_per_second_median"]!.GetValue<double>()) / 2;
        Console.WriteLine($"{path.Name}: step {step * 1e3:F1} ms = {1 / step:F2} tokens/s, {read:F2} GB/s of weights, anchor {anchor:F2} GB/s, fraction {read / anchor:F3}; end to end {generated / HuggingFaceBenchmark.Median(full):F2} tokens/s");
        return new JsonObject
        {
            ["name"] = path.Name,
            ["change"] = path.Change,
            ["weight_bytes"] = weightBytes,
            ["prompt_tokens"] = student.PromptIds(questions[0]).Length,
            ["generated_tokens"] = generated,
            ["prompt_and_first_token_ms_median"] = Math.Round(HuggingFaceBenchmark.Median(first) * 1e3, 1),
            ["step_ms"] = Math.Round(step * 1e3, 2),
            ["step_tokens_per_second"] = Math.Round(1 / step, 2),
            ["end_to_end_tokens_per_second"] = Math.Round(generated / HuggingFaceBenchmark.Median(full), 2),
            ["step_weight_gb_read_per_second"] = Math.Round(read, 2),
            ["read_anchor_before"] = before,
            ["read_anchor_after"] = after,
            ["step_fraction_of_read_anchor"] = Math.Round(read / anchor, 3),
        };
    }

    /// <summary>x·Wᵀ at one input row on the model's shapes: GB/s of weights read by libtorch's linear and by the kernel.</summary>
    private static JsonArray Products(int threads)
    {
        using var noGrad = no_grad();
        var rows = new JsonArray();
        foreach (var (name, outFeatures, inFeatures, copies) in new[] { ("gate/up", 4864L, 896L, 24), ("down", 896L, 4864L, 24), ("lm_head", 151936L, 896L, 1) })
        {
            foreach (var dtype in new[] { ScalarType.Float32, ScalarType.BFloat16 })
            {
                using var scope = NewDisposeScope();
                var weights = Enumerable.Range(0, copies).Select(_ => randn(outFeatures, inFeatures).to(dtype)).ToList();
                var x = randn(1, inFeatures).to(dtype);
                var bytes = outFeatures * inFeatures * weights[0].ElementSize;
                var row = new JsonObject { ["weights"] = name, ["shape"] = $"{outFeatures}x{inFeatures}", ["dtype"] = dtype.ToString(), ["threads"] = threads };
                foreach (var (label, kernel) in new[] { ("libtorch", false), ("kernel", true) })
                {
                    DecodePaths.SmallBatchKernel = kernel;
                    var seconds = TimeProduct(weights, x, bytes);
                    row[$"{label}_gb_per_second"] = Math.Round(bytes / seconds / 1e9, 1);
                }
                DecodePaths.SmallBatchKernel = true;
                Console.WriteLine(row.ToJsonString());
                rows.Add(row);
            }
        }
        return rows;
    }

    private static double TimeProduct(List<Tensor> weights, Tensor x, long bytes)
    {
        var iterations = (int)Math.Max(5, 3e9 / bytes);
        Tensor Product(Tensor w) => SmallBatchLinear.TryForward(x, w, null) ?? nn.functional.linear(x, w);
        Product(weights[0]).Dispose();
        var times = new List<double>();
        for (var rep = 0; rep < 5; rep++)
        {
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < iterations; i++)
            {
                Product(weights[i % weights.Count]).Dispose();
            }
            times.Add(sw.Elapsed.TotalSeconds / iterations);
        }
        return HuggingFaceBenchmark.Median(times);
    }

    /// <summary>
    /// The same paths in a child process with libgomp's default spinning workers (GOMP_SPINCOUNT=300000 keeps the library
    /// from choosing PASSIVE): the effect of the wait policy, which a process cannot change once libtorch is loaded.
    /// </summary>
    public static JsonNode? SpinningChild(int threads, int layers, int newTokens, int reps)
    {
        var self = Environment.ProcessPath!;
        var output = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"activesynth-decode-spin-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = false };
        foreach (var arg in new[] { "--hf-decode-steps", "--child-out", output, "--variants", "fp32-kernel-grouped,bf16-kernel-grouped",
            "--threads", $"{threads}", "--decode-layers", $"{layers}", "--new-tokens", $"{newTokens}", "--reps", $"{reps}" })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["GOMP_SPINCOUNT"] = "300000";
        using var child = Process.Start(start)!;
        child.WaitForExit();
        try
        {
            return child.ExitCode == 0 ? JsonNode.Parse(File.ReadAllText(output)) : new JsonObject { ["failed"] = $"exit code {child.ExitCode}" };
        }
        finally
        {
            File.Delete(output);
        }
    }

    internal static string OpenMpWaitPolicyName() => TorchRuntime.OpenMpWaitPolicy switch
    {
        null => Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is { } spin ? $"GOMP_SPINCOUNT={spin} (spinning)" : "libgomp's default (spinning)",
        var set when Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null => $"{set} (inherited)",
        var set => $"{set} (set by ActiveSynth.Student before libtorch loads)",
    };
}
