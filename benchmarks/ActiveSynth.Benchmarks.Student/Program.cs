using ActiveSynth.Core.Selection;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ActiveSynth.Benchmarks.Student;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.Evaluation;
using ActiveSynth.Student.Grading;
using ActiveSynth.Student.Modeling;
using ActiveSynth.Student.Scoring;
using ActiveSynth.Student.Training;
using TorchSharp;

// Student benchmark: the embedded v7 base (size, pretraining cost, accuracy per cell), then scoring and training
// throughput through the library code path the Scoring/Training services call, against a minimal raw TorchSharp loop
// on the same model and batch in the same process, and (when Debian's python3-torch is installed) against PyTorch.
// Usage: dotnet run -c Release --project benchmarks/ActiveSynth.Benchmarks.Student [-- --threads 1 --reps 5 --out PATH]
// --hf: the Hugging Face student at the Qwen2.5-0.5B shape instead (HuggingFaceBenchmark.cs; writes student-hf.json).
// --hf-decode-steps: decoding at batch 1, path by path, against the read-bandwidth anchor (DecodeSteps.cs), into student-hf.json's decode_steps.
var threads = Arg("--threads", 1);
var reps = Arg("--reps", 5);
// libtorch reads its OpenMP settings once, when it loads: the Student library's setting goes first (TorchRuntime.OpenMpWaitPolicy).
_ = TorchRuntime.OpenMpWaitPolicy;
if (args.Contains("--hf-decode-steps"))
{
    // Decode optimisations one after another against the read anchor (DecodeSteps.cs), into student-hf.json's decode_steps.
    var only = ArgS("--variants", "").Split(',', StringSplitOptions.RemoveEmptyEntries);
    var (layers, newTokens, decodeReps, decodeThreads) = (Arg("--decode-layers", 24), Arg("--new-tokens", 32), Arg("--reps", 5), Arg("--threads", 2));
    var steps = DecodeSteps.Run(decodeThreads, layers, newTokens, decodeReps, only);
    if (ArgS("--child-out", "") is { Length: > 0 } childOut)
    {
        File.WriteAllText(childOut, steps.ToJsonString());
        return;
    }
    steps["spinning_openmp_workers"] = DecodeSteps.SpinningChild(decodeThreads, layers, newTokens, decodeReps);
    var path = ArgS("--out", Path.Combine(RepoRoot(), "benchmarks", "results", "student-hf.json"));
    var file = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
    file["decode_steps"] = steps;
    HuggingFaceBenchmark.Write(file, path);
    return;
}
if (args.Contains("--hf"))
{
    var hf = HuggingFaceBenchmark.Run(Arg("--threads", 2), [.. ArgS("--train-layers", "1,2,4").Split(',').Select(int.Parse)],
        Arg("--decode-layers", 24), Arg("--new-tokens", 32), Arg("--reps", 3), Arg("--train-reps", 6));
    var path = ArgS("--out", Path.Combine(RepoRoot(), "benchmarks", "results", "student-hf.json"));
    if (File.Exists(path))
    {
        // Before and after side by side: the file's last run of this benchmark becomes previous_run, and the decode steps stay.
        var previous = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        hf["decode_steps"] = previous["decode_steps"]?.DeepClone();
        foreach (var name in new[] { "decode_steps", "previous_run" })
        {
            previous.Remove(name);
        }
        hf["previous_run"] = previous;
    }
    HuggingFaceBenchmark.Write(hf, path);
    return;
}
torch.set_num_threads(threads);
if (ArgS("--learnability", "") is { Length: > 0 } learnable)
{
    // Learnability of a task set (Learnability.cs): writes benchmarks/results/learnability-<families>.json (--out elsewhere);
    // --seed N (default 0) seeds the model's initialisation, the training items and the held-out set.
    var names = learnable.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    var root = Path.Combine(Path.GetTempPath(), $"activesynth-learnability-{Guid.NewGuid():N}");
    var loadAtStart = LoadAverage();
    var check = await Learnability.RunAsync(names, Arg("--steps", 2000), root, Arg("--seed", 0));
    check["torch_threads"] = threads;
    check["load_average_at_start"] = loadAtStart;
    check["load_average_at_end"] = LoadAverage();
    var file = ArgS("--out", Path.Combine(RepoRoot(), "benchmarks", "results", $"learnability-{string.Join("-", names)}.json"));
    await File.WriteAllTextAsync(file, check.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine(check.ToJsonString());
    Directory.Delete(root, recursive: true);
    return;
}
var outPath = ArgS("--out", Path.Combine(RepoRoot(), "benchmarks", "results", "student.json"));
var device = torch.CPU;
var families = TaskFamilyRegistry.Default;
var graders = new GraderLookup(families.Families);
var reuseArtifacts = ArgS("--artifacts", "");
var artifactsRoot = reuseArtifacts.Length > 0 ? reuseArtifacts : Path.Combine(Path.GetTempPath(), $"activesynth-bench-student-{Guid.NewGuid():N}");
var store = new CheckpointStore(new ArtifactStore(artifactsRoot));
if (args.Contains("--profile-scoring"))
{
    // Diagnostics: where does the library's scoring path spend its time against the raw loop? (reuses a base in --artifacts)
    var profileStore = new CheckpointStore(new ArtifactStore(ArgS("--artifacts", Path.Combine(Path.GetTempPath(), "activesynth-bench-student-profile"))));
    var b = await new BaseStudentCache(profileStore).GetOrCreateAsync(new BaseStudentSpec(), [.. families.Families], device);
    using var m = (await profileStore.LoadAsync(b.Checkpoint.Path, b.Checkpoint.Sha256, device)).Model;
    var items = Balanced(TaskFamilyRegistry.EmbeddedBenchmarkFamilies, 22, seed: 2001).Take(256).ToList();
    var ps = items.Select(i => PromptFormat.PromptIds(m.Tokenizer, i.Question, m.Config.Context)).ToList();
    var n = StudentScorer.Score(m, items, SignalNeeds.OwnNll, new ScoringSettings(), graders).Items.Max(x => x.TokenCount);
    var t = new Dictionary<string, List<double>> { ["raw"] = [], ["decoder64"] = [], ["decoder_n"] = [], ["scorer64"] = [], ["scorer_n"] = [] };
    for (var r = 0; r < Arg("--reps", 10); r++)
    {
        t["raw"].Add(Time(() => RawLoops.Decode(m, ps, n)));
        t["decoder64"].Add(Time(() => ActiveSynth.Student.Generation.GreedyDecoder.Decode(m, ps, 64)));
        t["decoder_n"].Add(Time(() => ActiveSynth.Student.Generation.GreedyDecoder.Decode(m, ps, n)));
        t["scorer64"].Add(Time(() => StudentScorer.Score(m, items, SignalNeeds.OwnNll, new ScoringSettings { MaxNewTokens = 64 }, graders)));
        t["scorer_n"].Add(Time(() => StudentScorer.Score(m, items, SignalNeeds.OwnNll, new ScoringSettings { MaxNewTokens = n }, graders)));
    }
    Console.WriteLine($"steps {n}: " + string.Join("  ", t.Select(p => $"{p.Key} {Median(p.Value):F4}")));
    return;
}

var result = new JsonObject
{
    ["benchmark"] = "student",
    ["machine"] = new JsonObject
    {
        ["processors"] = Environment.ProcessorCount,
        ["torch_threads"] = threads,
        ["libtorch"] = torch.__version__,
        ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        ["dotnet"] = Environment.Version.ToString(),
        ["load_average_at_start"] = LoadAverage(),
    },
    ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
};

try
{
    // ---- 1. The embedded base (v7), pretrained from scratch here so its cost is measured.
    var spec = new BaseStudentSpec();
    Console.WriteLine($"Pretraining the v7 base ({spec.Steps} steps, batch {spec.BatchSize}, {threads} thread(s))...");
    var baseResult = await new BaseStudentCache(store).GetOrCreateAsync(spec, [.. families.Families], device);
    var loaded = await store.LoadAsync(baseResult.Checkpoint.Path, baseResult.Checkpoint.Sha256, device);
    using var model = loaded.Model;
    var test = Balanced(TaskFamilyRegistry.EmbeddedBenchmarkFamilies, 25, seed: 1000);
    var evaluation = StudentEvaluator.Evaluate(model, test, graders);
    var cells = evaluation.CellAccuracy;
    double Mean(int d) => TaskFamilyRegistry.EmbeddedBenchmarkFamilies.Average(f => cells[$"{f}{d}"]);
    result["base"] = new JsonObject
    {
        ["config"] = JsonNode.Parse(model.Config.ToJson()),
        ["parameters"] = model.Network.ParameterCount(),
        ["weights_bytes"] = new FileInfo(Path.Combine(artifactsRoot, baseResult.Checkpoint.Path, CheckpointStore.WeightsFile)).Length,
        ["checkpoint_bytes"] = baseResult.Checkpoint.SizeBytes,
        ["pretrain_steps"] = spec.Steps,
        ["pretrain_seconds"] = baseResult.Pretraining is { } pre ? Math.Round(pre.Duration.TotalSeconds, 1) : null,
        ["pretrain_final_loss"] = baseResult.Pretraining is { } pre2 ? Math.Round(pre2.FinalLoss, 4) : null,
        ["pretrain_tokens_per_second"] = baseResult.Pretraining is { } pre3 ? Math.Round(pre3.TokensTrained / pre3.Duration.TotalSeconds) : null,
        ["test_items"] = evaluation.Total,
        ["accuracy"] = Math.Round(evaluation.Accuracy, 4),
        ["accuracy_d1"] = Math.Round(Mean(1), 4),
        ["accuracy_d2"] = Math.Round(Mean(2), 4),
        ["accuracy_d3"] = Math.Round(Mean(3), 4),
        ["accuracy_d4"] = Math.Round(Mean(4), 4),
        ["cell_accuracy"] = new JsonObject([.. cells.Select(c => KeyValuePair.Create(c.Key, (JsonNode?)Math.Round(c.Value, 3)))]),
        ["eval_seconds"] = Math.Round(evaluation.Duration.TotalSeconds, 2),
    };
    Console.WriteLine(result["base"]!.ToJsonString());

    // ---- 2. Scoring: 256 pool items (d1..d4), the loss-high signals, one batch.
    var pool = Balanced(TaskFamilyRegistry.EmbeddedBenchmarkFamilies, 64 / 3 + 1, seed: 2000).Take(256).ToList();
    pool = [.. pool, .. Balanced(TaskFamilyRegistry.EmbeddedBenchmarkFamilies, 22, seed: 2001).Take(256 - pool.Count)];
    var settings = new ScoringSettings { BatchSize = 256, MaxNewTokens = 64 };
    var signals = SignalNeeds.OwnNll | SignalNeeds.AnswerNll | SignalNeeds.Correctness | SignalNeeds.EntropyMargin;
    var prompts = pool.Select(i => PromptFormat.PromptIds(model.Tokenizer, i.Question, model.Config.Context)).ToList();
    var probe = StudentScorer.Score(model, pool, signals, settings, graders);
    var decodeSteps = probe.Items.Max(s => s.TokenCount);
    var scoreTokens = probe.TokensProcessed;
    var serviceScore = new List<double>();
    var rawScore = new List<double>();
    var decoderOnly = new List<double>();
    RawLoops.Decode(model, prompts, decodeSteps); // warm-up
    // Rotating order: whichever call follows another pays for the allocator's fresh pages, so no side always goes first.
    Action[] scoringCalls =
    [
        () => rawScore.Add(Time(() => RawLoops.Decode(model, prompts, decodeSteps))),
        () => serviceScore.Add(Time(() => StudentScorer.Score(model, pool, signals, settings, graders))),
        () => decoderOnly.Add(Time(() => ActiveSynth.Student.Generation.GreedyDecoder.Decode(model, prompts, settings.MaxNewTokens))),
    ];
    for (var r = 0; r < 3 * reps; r++)
    {
        for (var k = 0; k < scoringCalls.Length; k++)
        {
            scoringCalls[(r + k) % scoringCalls.Length]();
        }
    }
    var allSignals = Time(() => StudentScorer.Score(model, pool, SignalNeedsExtensions.StudentComputed, settings, graders));
    var allTokens = StudentScorer.Score(model, pool, SignalNeedsExtensions.StudentComputed, settings, graders).TokensProcessed;
    var scoringService = scoreTokens / Median(serviceScore);
    var scoringRaw = scoreTokens / Median(rawScore);
    result["scoring"] = new JsonObject
    {
        ["items"] = pool.Count,
        ["batch_size"] = settings.BatchSize,
        ["decode_steps"] = decodeSteps,
        ["tokens_per_call"] = scoreTokens,
        ["signals"] = signals.ToString(),
        ["service_path_tokens_per_second"] = Math.Round(scoringService),
        ["raw_loop_tokens_per_second"] = Math.Round(scoringRaw),
        ["service_vs_raw_ratio"] = Math.Round(scoringService / scoringRaw, 3),
        ["service_path_seconds_median"] = Math.Round(Median(serviceScore), 4),
        ["raw_loop_seconds_median"] = Math.Round(Median(rawScore), 4),
        ["decoder_only_seconds_median"] = Math.Round(Median(decoderOnly), 4),
        ["all_signals_seconds"] = Math.Round(allSignals, 4),
        ["all_signals_tokens_per_second"] = Math.Round(allTokens / allSignals),
        ["items_per_second"] = Math.Round(pool.Count / Median(serviceScore), 1),
    };
    Console.WriteLine(result["scoring"]!.ToJsonString());

    // ---- 3. Training: the v7 round step (batch 32 = 16 synthetic + 16 replayed d1), 40 steps, persistent AdamW, constant lr.
    var synthetic = Balanced(TaskFamilyRegistry.EmbeddedBenchmarkFamilies, 22, seed: 3000).Where(i => i.Difficulty > 1).Take(192).ToList();
    var replay = await store.LoadReplayAsync(baseResult.Checkpoint.Path);
    var trainSettings = new TrainingSettings { Steps = 40, BatchSize = 32, LearningRate = 1e-3, Schedule = LearningRateSchedule.Constant, ReplayFraction = 0.5, Seed = 7 };
    using var optimizer = StudentOptimizer.Create(model, trainSettings);
    optimizer.LoadState(loaded.OptimizerState!);
    using var rawOptimizer = torch.optim.AdamW(model.Network.parameters(), lr: 1e-3, beta1: 0.9, beta2: 0.98, weight_decay: 0.01);
    TrainingBatchSampler Sampler() => new(synthetic, TrainingBatchSampler.FromPool(replay), 0.5, 32, 7);
    var fixedSampler = Sampler();
    var batches = Enumerable.Range(0, trainSettings.Steps)
        .Select(_ => TeacherForcedBatch.Create([.. fixedSampler.Next().Select(i => PromptFormat.Pair(model.Tokenizer, i, model.Config.Context))], device))
        .ToList();
    var trainTokens = batches.Sum(b => b.RealTokens);
    StudentTrainer.Train(model, optimizer, trainSettings with { Steps = 5 }, Sampler()); // warm-up
    RawLoops.Train(model, rawOptimizer, batches.Take(5).ToList());
    var serviceTrain = new List<double>();
    var rawTrain = new List<double>();
    long reportedTokens = 0;
    for (var r = 0; r < Math.Max(4, reps); r++)
    {
        void Service() => serviceTrain.Add(Time(() => reportedTokens = StudentTrainer.Train(model, optimizer, trainSettings, Sampler()).TokensTrained));
        void Raw() => rawTrain.Add(Time(() => RawLoops.Train(model, rawOptimizer, batches)));
        if (r % 2 == 0)
        {
            Service();
            Raw();
        }
        else
        {
            Raw();
            Service();
        }
    }
    if (reportedTokens != trainTokens)
    {
        throw new InvalidOperationException($"service path trained {reportedTokens} tokens, raw loop {trainTokens}: not the same batches");
    }
    var trainingService = trainTokens / Median(serviceTrain);
    var trainingRaw = trainTokens / Median(rawTrain);
    result["training"] = new JsonObject
    {
        ["steps"] = trainSettings.Steps,
        ["batch_size"] = trainSettings.BatchSize,
        ["replay_fraction"] = trainSettings.ReplayFraction,
        ["tokens_per_round"] = trainTokens,
        ["service_path_tokens_per_second"] = Math.Round(trainingService),
        ["raw_loop_tokens_per_second"] = Math.Round(trainingRaw),
        ["service_vs_raw_ratio"] = Math.Round(trainingService / trainingRaw, 3),
        ["service_path_seconds_per_round_median"] = Math.Round(Median(serviceTrain), 3),
        ["raw_loop_seconds_per_round_median"] = Math.Round(Median(rawTrain), 3),
    };
    Console.WriteLine(result["training"]!.ToJsonString());

    // ---- 4. PyTorch reference (Debian python3-torch, same model, batches and thread count), when installed.
    var exchange = Path.Combine(artifactsRoot, "pytorch-batches.json");
    await File.WriteAllTextAsync(exchange, JsonSerializer.Serialize(new
    {
        config = new { vocab = model.Config.VocabSize, d = model.Config.DModel, layers = model.Config.Layers, heads = model.Config.Heads, ff = model.Config.FeedForwardOrDefault, ctx = model.Config.Context },
        threads,
        reps = Math.Max(4, reps),
        prompts,
        decode_steps = decodeSteps,
        score_tokens = scoreTokens,
        train_batches = batches.Select(b => new { x = b.Inputs.data<long>().ToArray(), y = b.Targets.data<long>().ToArray(), shape = b.Inputs.shape }).ToList(),
        train_tokens = trainTokens,
    }));
    var script = Path.Combine(AppContext.BaseDirectory, "pytorch_reference.py");
    var pytorch = PythonReference.Run(script, exchange);
    if (pytorch is not null)
    {
        var ptScore = pytorch["scoring_tokens_per_second"]!.GetValue<double>();
        var ptTrain = pytorch["training_tokens_per_second"]!.GetValue<double>();
        pytorch["torchsharp_service_vs_pytorch_scoring_ratio"] = Math.Round(scoringService / ptScore, 3);
        pytorch["torchsharp_service_vs_pytorch_training_ratio"] = Math.Round(trainingService / ptTrain, 3);
        pytorch["torchsharp_raw_vs_pytorch_scoring_ratio"] = Math.Round(scoringRaw / ptScore, 3);
        pytorch["torchsharp_raw_vs_pytorch_training_ratio"] = Math.Round(trainingRaw / ptTrain, 3);
        result["pytorch"] = pytorch;
        Console.WriteLine(pytorch.ToJsonString());
    }
    else
    {
        result["pytorch"] = new JsonObject { ["skipped"] = "python3 with torch is not installed (apt-get install python3-torch libopenblas0-pthread)" };
    }
    foreach (var b in batches)
    {
        b.Dispose();
    }

    result["process"] = new JsonObject
    {
        ["peak_rss_mb"] = Math.Round(PeakRssBytes() / 1048576.0, 1),
        ["note"] = "VmHWM of this process, which loads the default model, scores, trains and evaluates it: a proxy for the peak RSS of the Scoring and Training services' student work (their hosting adds ASP.NET Core and Redis clients).",
    };
}
finally
{
    if (reuseArtifacts.Length == 0)
    {
        Directory.Delete(artifactsRoot, recursive: true);
    }
}

result["machine"]!["load_average_at_end"] = LoadAverage();
Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
await File.WriteAllTextAsync(outPath, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
Console.WriteLine($"Wrote {outPath}");

List<TaskItem> Balanced(IReadOnlyList<string> names, int perCell, int seed)
{
    var rng = new Random(seed);
    var items = new List<TaskItem>();
    foreach (var name in names)
    {
        var family = families.Get(name);
        for (var d = 1; d <= 4; d++)
        {
            for (var i = 0; i < perCell; i++)
            {
                items.Add(family.Generate($"{name}{d}-{seed}-{i}", d, rng));
            }
        }
    }
    return items;
}

static double Time(Action action)
{
    var started = Stopwatch.GetTimestamp();
    action();
    return Stopwatch.GetElapsedTime(started).TotalSeconds;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

// Other work on the machine slows both sides of every ratio alike, but it inflates absolute seconds: record it.
static double LoadAverage() =>
    File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : -1;

static long PeakRssBytes()
{
    var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}

int Arg(string name, int fallback) => int.TryParse(ArgS(name, ""), out var v) ? v : fallback;

string ArgS(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

static string RepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "ActiveSynth.Aspire.sln")))
        {
            return dir.FullName;
        }
    }
    return Directory.GetCurrentDirectory();
}
