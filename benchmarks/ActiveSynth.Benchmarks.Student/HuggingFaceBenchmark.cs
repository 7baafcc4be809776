using ActiveSynth.Core.Selection;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student;
using ActiveSynth.Student.HuggingFace;
using ActiveSynth.Student.Scoring;
using ActiveSynth.Student.Training;
using TorchSharp;

namespace ActiveSynth.Benchmarks.Student;

/// <summary>
/// CPU cost of a Hugging Face student of the real Qwen2.5-0.5B shape (hidden 896, 14 heads, 2 kv heads, head_dim 64,
/// intermediate 4864, vocabulary 151 936, tied embeddings), randomly initialised, fp32: greedy decode tokens/s with
/// the KV cache (batch 1 and 8) and one LoRA training step (r 8 on all seven projections, batch 4). The full 24 layers
/// are measured for decoding, scoring (the loss-high signals at batch 8) and one LoRA step; the LoRA step is also measured at a
/// few layer counts (cost = embeddings/LM head + layers × per-layer). With Debian's python3-torch installed, the same shapes run
/// in PyTorch at the same thread count (pytorch_qwen2_reference.py) and the speed ratios are recorded.
/// </summary>
public static class HuggingFaceBenchmark
{
    private const int FirstSpecialId = 151643;

    public static HfModelConfig Qwen05B(int layers) => new()
    {
        Architecture = HfArchitecture.Qwen2,
        VocabSize = 151936,
        HiddenSize = 896,
        IntermediateSize = 4864,
        Layers = layers,
        Heads = 14,
        KeyValueHeads = 2,
        HeadDim = 64,
        RmsNormEps = 1e-6,
        RopeTheta = 1000000,
        MaxPositions = 32768,
        TieWordEmbeddings = true,
        AttentionBias = true,
        TorchDtype = torch.ScalarType.Float32,
        EosTokenIds = [FirstSpecialId + 2],
    };

    public static JsonObject Run(int threads, int[] trainLayers, int decodeLayers, int newTokens, int reps, int trainReps)
    {
        torch.set_num_threads(threads);
        var tokenizer = ByteTokenizer();
        var result = new JsonObject
        {
            ["benchmark"] = "student-hf",
            ["code_path"] = "HfStudent (DecodeGreedy, StudentScorer.Score, LoraTrainer.Train) with the decode paths on (SmallBatchLinear, grouped step attention)",
            ["openmp_wait_policy"] = DecodeSteps.OpenMpWaitPolicyName(),
            ["model_shape"] = "Qwen2.5-0.5B (hidden 896, 14 heads, 2 kv heads, intermediate 4864, vocab 151936, tied), random weights, fp32, CPU",
            ["gpu"] = "none: no GPU was lent to this session, so there are no GPU figures",
            ["machine"] = new JsonObject
            {
                ["processors"] = Environment.ProcessorCount,
                ["torch_threads"] = threads,
                ["libtorch"] = torch.__version__,
                ["load_average_at_start"] = LoadAverage(),
            },
        };

        var promptTokens = 0;
        // Decoding: the full model. Prompt ≈ 40 tokens (chat template + question), then newTokens greedy steps;
        // random weights never produce the stop token early in practice, and the count is checked.
        var decode = new JsonObject();
        using (var student = HfStudent.CreateRandom(Qwen05B(decodeLayers), tokenizer, seed: 1))
        {
            decode["layers"] = decodeLayers;
            decode["parameters"] = student.Network.ParameterCount();
            foreach (var batch in new[] { 1, 8 })
            {
                var questions = Enumerable.Range(0, batch).Select(i => $"What is {17 + i} times {23 + i}? Answer with steps.").ToList();
                student.DecodeGreedy(questions, 2, useKvCache: true); // warm-up
                var times = new List<double>();
                long generated = 0;
                for (var r = 0; r < reps; r++)
                {
                    var sw = Stopwatch.StartNew();
                    var decoded = student.DecodeGreedy(questions, newTokens, useKvCache: true);
                    times.Add(sw.Elapsed.TotalSeconds);
                    generated = decoded.Sum(d => (long)d.LogProbs.Length);
                }
                var median = Median(times);
                decode[$"batch_{batch}"] = new JsonObject
                {
                    ["prompt_tokens"] = student.PromptIds(questions[0]).Length,
                    ["generated_tokens"] = generated,
                    ["seconds_median"] = Math.Round(median, 3),
                    ["tokens_per_second"] = Math.Round(generated / median, 2),
                    ["tokens_per_second_best"] = Math.Round(generated / times.Min(), 2),
                };
                Console.WriteLine($"decode {decodeLayers} layers, batch {batch}: {generated} tokens in {median:F2} s = {generated / median:F2} tokens/s");
            }
            result["scoring"] = Scoring(student, newTokens, reps);
            promptTokens = student.PromptIds("What is 17 times 23? Answer with steps.").Length;
        }
        result["greedy_decode_kv_cache"] = decode;

        // LoRA training step: batch 4 × (prompt + answer) ≈ 4 × 80 tokens.
        var items = Enumerable.Range(0, 4).Select(i => new TaskItem($"t{i}", "arith", 1, $"What is {12 + i} plus {30 + i}? Show the steps.",
            $"First add the tens: 10 + 30 = 40. Then the ones: {2 + i} + {i} = {2 + 2 * i}. So the sum is {42 + 2 * i}.\n#### {42 + 2 * i}")).ToList();
        var settings = new TrainingSettings { Steps = 1, BatchSize = 4, LearningRate = 1e-4, ReplayFraction = 0, Seed = 1, LossLogInterval = 1 };
        var points = new JsonArray();
        var fit = new List<(double Layers, double Seconds)>();
        long tokensPerStep = 0;
        // All layer counts are built first and measured round-robin, so a burst of load on the shared machine hits
        // every point alike; the fit uses each point's minimum (its least-disturbed step), the median is reported too.
        var students = trainLayers.Select(layers => HfStudent.CreateRandom(Qwen05B(layers), tokenizer, seed: 2)).ToList();
        try
        {
            var trainable = students.Select(s => LoraAdapter.Attach(s, new LoraSettings { Rank = 8, Alpha = 16, Dropout = 0.05 }, seed: 3).Sum(p => p.numel())).ToList();
            var times = students.Select(_ => new List<double>()).ToList();
            foreach (var student in students)
            {
                LoraTrainer.Train(student, settings, new TrainingBatchSampler(items, null, 0, 4, 1)); // warm-up
            }
            for (var r = 0; r < trainReps; r++)
            {
                for (var i = 0; i < students.Count; i++)
                {
                    var report = LoraTrainer.Train(students[i], settings, new TrainingBatchSampler(items, null, 0, 4, r));
                    times[i].Add(report.Duration.TotalSeconds);
                    tokensPerStep = report.TokensTrained;
                }
            }
            for (var i = 0; i < students.Count; i++)
            {
                var min = times[i].Min();
                fit.Add((trainLayers[i], min));
                points.Add(new JsonObject
                {
                    ["layers"] = trainLayers[i],
                    ["trainable_lora_parameters"] = trainable[i],
                    ["seconds_per_step_min"] = Math.Round(min, 3),
                    ["seconds_per_step_median"] = Math.Round(Median(times[i]), 3),
                    ["steps_timed"] = times[i].Count,
                    ["tokens_per_step"] = tokensPerStep,
                });
                Console.WriteLine($"lora step {trainLayers[i]} layers: min {min:F2} s, median {Median(times[i]):F2} s ({tokensPerStep} tokens)");
            }
        }
        finally
        {
            foreach (var student in students)
            {
                student.Dispose();
            }
        }
        var training = new JsonObject { ["batch"] = 4, ["rank"] = 8, ["targets"] = "q,k,v,o,gate,up,down", ["measured"] = points };
        if (fit.Count >= 2)
        {
            var (slope, intercept) = LinearFit(fit);
            var full = intercept + slope * 24;
            training["per_layer_seconds"] = Math.Round(slope, 3);
            training["fixed_seconds_embeddings_and_head"] = Math.Round(intercept, 3);
            training["fit"] = "least squares on each layer count's minimum step time";
            training["extrapolated_24_layers_seconds_per_step"] = Math.Round(full, 2);
            training["extrapolated_24_layers_tokens_per_second"] = Math.Round(tokensPerStep / full, 1);
            Console.WriteLine($"lora step extrapolated to 24 layers: {full:F1} s/step");
        }
        training["full_layers"] = FullLoraStep(decodeLayers, tokenizer, settings, items, Math.Max(2, trainReps / 3));
        result["lora_training_step"] = training;
        result["memory_bandwidth"] = Bandwidth(decode);
        result["pytorch"] = PyTorchSide(result, threads, decodeLayers, promptTokens, newTokens, reps, tokensPerStep, Math.Max(2, trainReps / 3));
        result["machine"]!["load_average_at_end"] = LoadAverage();
        return result;
    }

    /// <summary>The loss-high signals (greedy own answer at batch 8, then its NLL and answer-token NLL, correctness), as the Scoring service computes them.</summary>
    private static JsonObject Scoring(HfStudent student, int newTokens, int reps)
    {
        var items = Enumerable.Range(0, 8).Select(i => new TaskItem($"s{i}", "arith", 1, $"What is {17 + i} times {23 + i}? Answer with steps.",
            $"{17 + i} * {23 + i} = {(17 + i) * (23 + i)}\n#### {(17 + i) * (23 + i)}")).ToList();
        const SignalNeeds signals = SignalNeeds.OwnNll | SignalNeeds.AnswerNll | SignalNeeds.Correctness;
        var settings = new ScoringSettings { BatchSize = 8, MaxNewTokens = newTokens };
        StudentScorer.Score(student, items, signals, settings); // warm-up
        var times = new List<double>();
        long tokens = 0;
        for (var r = 0; r < reps; r++)
        {
            var scored = StudentScorer.Score(student, items, signals, settings);
            times.Add(scored.Duration.TotalSeconds);
            tokens = scored.TokensProcessed;
        }
        var median = Median(times);
        Console.WriteLine($"scoring 8 items (loss-high signals, {newTokens} new tokens): {median:F2} s");
        return new JsonObject
        {
            ["items"] = items.Count,
            ["signals"] = "own-answer NLL, answer-token NLL, correctness",
            ["new_tokens"] = newTokens,
            ["tokens_processed"] = tokens,
            ["seconds_median"] = Math.Round(median, 3),
            ["items_per_second"] = Math.Round(items.Count / median, 3),
        };
    }

    /// <summary>One LoRA step over every layer, not extrapolated.</summary>
    private static JsonObject FullLoraStep(int layers, HfTokenizer tokenizer, TrainingSettings settings, List<TaskItem> items, int steps)
    {
        using var student = HfStudent.CreateRandom(Qwen05B(layers), tokenizer, seed: 2);
        var trainable = LoraAdapter.Attach(student, new LoraSettings { Rank = 8, Alpha = 16, Dropout = 0.05 }, seed: 3).Sum(p => p.numel());
        LoraTrainer.Train(student, settings, new TrainingBatchSampler(items, null, 0, 4, 1)); // warm-up
        var times = new List<double>();
        long tokens = 0;
        for (var r = 0; r < steps; r++)
        {
            var report = LoraTrainer.Train(student, settings, new TrainingBatchSampler(items, null, 0, 4, r));
            times.Add(report.Duration.TotalSeconds);
            tokens = report.TokensTrained;
        }
        Console.WriteLine($"lora step, all {layers} layers: min {times.Min():F2} s, median {Median(times):F2} s ({tokens} tokens)");
        return new JsonObject
        {
            ["layers"] = layers,
            ["trainable_lora_parameters"] = trainable,
            ["seconds_per_step_min"] = Math.Round(times.Min(), 3),
            ["seconds_per_step_median"] = Math.Round(Median(times), 3),
            ["steps_timed"] = times.Count,
            ["tokens_per_step"] = tokens,
        };
    }

    /// <summary>
    /// Decoding at batch 1 reads every weight once per token (the tied LM head reads the whole embedding matrix): weight bytes
    /// read per second against a memory-copy bandwidth measured here (bytes copied per second, 512 MB buffers, best of 5).
    /// </summary>
    private static JsonObject Bandwidth(JsonObject decode)
    {
        var source = new byte[512L * 1024 * 1024];
        var target = new byte[source.Length];
        Random.Shared.NextBytes(source.AsSpan(0, 4096));
        var best = double.MaxValue;
        for (var r = 0; r < 5; r++)
        {
            var sw = Stopwatch.StartNew();
            source.AsSpan().CopyTo(target);
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        var copyBytesPerSecond = source.Length / best;
        var weightBytes = decode["parameters"]!.GetValue<long>() * sizeof(float);
        var tokensPerSecond = decode["batch_1"]!["tokens_per_second"]!.GetValue<double>();
        var readPerSecond = weightBytes * tokensPerSecond;
        return new JsonObject
        {
            ["memcpy_gb_per_second"] = Math.Round(copyBytesPerSecond / 1e9, 2),
            ["decode_batch_1_weight_gb_read_per_second"] = Math.Round(readPerSecond / 1e9, 2),
            ["decode_batch_1_fraction_of_memcpy"] = Math.Round(readPerSecond / copyBytesPerSecond, 3),
            ["note"] = "memcpy counts bytes copied (each read once and written once); decoding reads each weight byte once per token, so a fraction near or above 1 means decoding runs at the memory's speed",
        };
    }

    /// <summary>The same shapes on Debian's python3-torch at the same thread count (pytorch_qwen2_reference.py), and TorchSharp ÷ PyTorch speed ratios (aim ≥ 0.9).</summary>
    private static JsonObject PyTorchSide(JsonObject result, int threads, int layers, int promptTokens, int newTokens, int reps, long tokensPerStep, int trainReps)
    {
        var exchange = Path.Combine(Path.GetTempPath(), $"activesynth-hf-pytorch-{Guid.NewGuid():N}.json");
        File.WriteAllText(exchange, new JsonObject
        {
            ["threads"] = threads,
            ["config"] = new JsonObject
            {
                ["vocab"] = 151936, ["hidden"] = 896, ["intermediate"] = 4864, ["layers"] = layers, ["heads"] = 14, ["kv_heads"] = 2,
                ["head_dim"] = 64, ["eps"] = 1e-6, ["rope_theta"] = 1000000.0,
            },
            ["prompt_tokens"] = promptTokens,
            ["new_tokens"] = newTokens,
            ["reps"] = reps,
            ["score_batch"] = 8,
            ["train"] = new JsonObject { ["rank"] = 8, ["alpha"] = 16, ["dropout"] = 0.05, ["batch"] = 4, ["sequence_tokens"] = Math.Max(1, tokensPerStep / 4) },
            ["train_reps"] = trainReps,
        }.ToJsonString());
        try
        {
            var pytorch = PythonReference.Run(Path.Combine(AppContext.BaseDirectory, "pytorch_qwen2_reference.py"), exchange);
            if (pytorch is null)
            {
                return new JsonObject { ["skipped"] = "python3 with torch is not installed (apt-get install python3-torch libopenblas0-pthread)" };
            }
            var decode = result["greedy_decode_kv_cache"]!;
            double Ratio(double torchSharp, double pyTorch) => Math.Round(torchSharp / pyTorch, 3);
            pytorch["decode_batch_1_vs_pytorch_ratio"] = Ratio(decode["batch_1"]!["tokens_per_second"]!.GetValue<double>(), pytorch["decode_batch_1_tokens_per_second"]!.GetValue<double>());
            pytorch["decode_batch_8_vs_pytorch_ratio"] = Ratio(decode["batch_8"]!["tokens_per_second"]!.GetValue<double>(), pytorch["decode_batch_8_tokens_per_second"]!.GetValue<double>());
            pytorch["scoring_vs_pytorch_ratio"] = Ratio(pytorch["scoring_seconds_median"]!.GetValue<double>(), result["scoring"]!["seconds_median"]!.GetValue<double>());
            var full = result["lora_training_step"]!["full_layers"]!;
            pytorch["lora_step_vs_pytorch_ratio"] = Ratio(pytorch["lora_step_seconds_median"]!.GetValue<double>(), full["seconds_per_step_median"]!.GetValue<double>());
            pytorch["note"] = "ratios are TorchSharp speed ÷ PyTorch speed (above 1: TorchSharp faster); the same shapes, random weights, prompt length and new tokens, the same thread count, run one after the other in this benchmark";
            Console.WriteLine(pytorch.ToJsonString());
            return pytorch;
        }
        finally
        {
            File.Delete(exchange);
        }
    }

    private static (double Slope, double Intercept) LinearFit(List<(double X, double Y)> points)
    {
        var mx = points.Average(p => p.X);
        var my = points.Average(p => p.Y);
        var slope = points.Sum(p => (p.X - mx) * (p.Y - my)) / points.Sum(p => (p.X - mx) * (p.X - mx));
        return (slope, my - slope * mx);
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    internal static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "";

    /// <summary>A byte-level tokenizer (256 byte tokens, no merges) with Qwen2's special tokens at Qwen2's ids: the cost does not depend on the merges.</summary>
    internal static HfTokenizer ByteTokenizer()
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range('¡', '¬' - '¡' + 1)).Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)).ToHashSet();
        var vocab = new JsonObject();
        var next = 0;
        for (var b = 0; b < 256; b++)
        {
            vocab[(printable.Contains(b) ? (char)b : (char)(256 + next++)).ToString()] = b;
        }
        var added = new JsonArray();
        string[] specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];
        for (var i = 0; i < specials.Length; i++)
        {
            added.Add(new JsonObject { ["id"] = FirstSpecialId + i, ["content"] = specials[i], ["special"] = true });
        }
        var json = new JsonObject
        {
            ["added_tokens"] = added,
            ["model"] = new JsonObject { ["type"] = "BPE", ["vocab"] = vocab, ["merges"] = new JsonArray() },
        };
        var path = Path.Combine(Path.GetTempPath(), $"activesynth-bench-tokenizer-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json.ToJsonString());
        try
        {
            return HfTokenizer.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static void Write(JsonObject result, string path)
    {
        File.WriteAllText(path, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        Console.WriteLine($"wrote {path}");
    }
}
