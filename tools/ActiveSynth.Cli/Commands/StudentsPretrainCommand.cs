using System.ComponentModel;
using System.Globalization;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Student.Evaluation;
using ActiveSynth.Student.HuggingFace;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace ActiveSynth.Cli.Commands;

/// <summary>
/// `activesynth students pretrain --arch qwen2|llama --benchmark strings --out models/tiny-qwen2`: makes a small
/// Hugging Face-format base with the project's own training code (<see cref="HfBasePretrainer"/>) and writes it as a
/// checkpoint directory that `--hf-model` (and transformers) load, then reports its accuracy per difficulty on a
/// balanced test set of the benchmark's families.
/// </summary>
public sealed class StudentsPretrainCommand : AsyncCommand<StudentsPretrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--arch <ARCH>")]
        [Description("qwen2 (ChatML, tied embeddings, q/k/v biases) or llama (Llama 3 chat format, untied LM head). Default qwen2.")]
        public string Arch { get; init; } = "qwen2";

        [CommandOption("--benchmark <NAME>")]
        [Description("The benchmark whose families the base is pretrained on (strings, arith-logic, letters). Default strings.")]
        public string Benchmark { get; init; } = BenchmarkPresets.Strings.Name;

        [CommandOption("--out <DIR>")]
        [Description("The checkpoint directory to write (new or empty): config.json, model.safetensors, tokenizer.json, tokenizer_config.json, generation_config.json.")]
        public string Out { get; init; } = "";

        [CommandOption("--hidden <N>")]
        [Description("hidden_size. Default 128.")]
        public int Hidden { get; init; } = 128;

        [CommandOption("--layers <N>")]
        [Description("num_hidden_layers. Default 2.")]
        public int Layers { get; init; } = 2;

        [CommandOption("--heads <N>")]
        [Description("num_attention_heads. Default 4.")]
        public int Heads { get; init; } = 4;

        [CommandOption("--kv-heads <N>")]
        [Description("num_key_value_heads (grouped-query attention; divides --heads). Default 2.")]
        public int KvHeads { get; init; } = 2;

        [CommandOption("--intermediate <N>")]
        [Description("intermediate_size (SwiGLU). Default 512.")]
        public int Intermediate { get; init; } = 512;

        [CommandOption("--context <N>")]
        [Description("max_position_embeddings. Default 128.")]
        public int Context { get; init; } = 128;

        [CommandOption("--rope-theta <BASE>")]
        [Description("rope_theta. Default 10000 (short contexts; Qwen2.5's 1000000 is made for 32k).")]
        public double RopeTheta { get; init; } = 10_000;

        [CommandOption("--steps <N>")]
        [Description("Pretraining steps (AdamW, warmup + cosine). Default 600.")]
        public int Steps { get; init; } = 600;

        [CommandOption("--batch <N>")]
        [Description("Items per step. Default 32.")]
        public int Batch { get; init; } = 32;

        [CommandOption("--lr <RATE>")]
        [Description("Peak learning rate. Default 0.003.")]
        public double LearningRate { get; init; } = 3e-3;

        [CommandOption("--difficulties <LIST>")]
        [Description("Difficulties drawn during pretraining, comma-separated. Default 1 (the answer format and the easiest cell, as the embedded base).")]
        public string Difficulties { get; init; } = "1";

        [CommandOption("--seed <N>")]
        [Description("Seed of the initialisation and of the pretraining items. Default 0.")]
        public long Seed { get; init; }

        [CommandOption("--threads <N>")]
        [Description("libtorch threads. Default 1 (fastest for a model this small).")]
        public int Threads { get; init; } = 1;

        [CommandOption("--test <N>")]
        [Description("Items of the balanced test set the written base is evaluated on (0 = none). Default 120.")]
        public int Test { get; init; } = 120;

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Out))
            {
                return ValidationResult.Error("--out: required (the checkpoint directory to write)");
            }
            if (Directory.Exists(Out) && Directory.EnumerateFileSystemEntries(Out).Any())
            {
                return ValidationResult.Error($"--out: '{Out}' exists and is not empty: a base is written into a new or empty directory");
            }
            if (ArchitectureOf(Arch) is null)
            {
                return ValidationResult.Error($"--arch: '{Arch}' is not known; expected qwen2 or llama");
            }
            if (BenchmarkPresets.Find(Benchmark) is null)
            {
                return ValidationResult.Error($"--benchmark: unknown '{Benchmark}'; expected one of {string.Join(", ", BenchmarkPresets.Names)}");
            }
            if (DifficultyList() is null)
            {
                return ValidationResult.Error($"--difficulties: '{Difficulties}' is not a comma-separated list of positive integers");
            }
            if (Threads <= 0 || Test < 0)
            {
                return ValidationResult.Error("--threads must be positive and --test not negative");
            }
            try
            {
                Spec().Validate();
            }
            catch (System.ComponentModel.DataAnnotations.ValidationException ex)
            {
                return ValidationResult.Error($"the model or training options: {ex.Message}");
            }
            return ValidationResult.Success();
        }

        public HfBaseSpec Spec() => new()
        {
            Architecture = ArchitectureOf(Arch) ?? HfArchitecture.Qwen2,
            HiddenSize = Hidden,
            Layers = Layers,
            Heads = Heads,
            KeyValueHeads = KvHeads,
            IntermediateSize = Intermediate,
            MaxPositions = Context,
            RopeTheta = RopeTheta,
            Families = BenchmarkPresets.Find(Benchmark)?.Families ?? TaskFamilyRegistry.EmbeddedBenchmarkFamilies,
            Difficulties = DifficultyList() ?? [1],
            Steps = Steps,
            BatchSize = Batch,
            LearningRate = LearningRate,
            Seed = Seed,
        };

        private int[]? DifficultyList()
        {
            var parts = Difficulties.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var values = parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var d) && d > 0 ? d : -1).ToArray();
            return values.Length > 0 && values.All(v => v > 0) ? values : null;
        }

        private static HfArchitecture? ArchitectureOf(string arch) => arch.ToLowerInvariant() switch
        {
            "qwen2" => HfArchitecture.Qwen2,
            "llama" => HfArchitecture.Llama,
            _ => null,
        };
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var spec = settings.Spec();
        var families = spec.Families.Select(TaskFamilyRegistry.Default.Get).ToList();
        set_num_threads(settings.Threads);
        HfPretrainingResult result;
        try
        {
            result = HfBasePretrainer.PretrainTo(settings.Out, spec, families, CPU, cancellationToken, (step, loss) =>
            {
                if ((step + 1) % 100 == 0 || step == 0)
                {
                    AnsiConsole.MarkupLineInterpolated($"step {step + 1}/{spec.Steps}: loss {loss:F4}");
                }
            });
        }
        catch (IOException ex)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] --out: {ex.Message}");
            return Task.FromResult(CliApp.BadArguments);
        }
        using (result)
        {
            AnsiConsole.MarkupLineInterpolated(
                $"wrote {result.Vocabulary.Architecture} base ({result.Parameters:N0} parameters, vocabulary {result.Vocabulary.Count}) to {Path.GetFullPath(settings.Out)}: {result.Report.Steps} steps in {result.Report.Duration.TotalSeconds:F1} s, final loss {result.Report.FinalLoss:F4}");
            if (settings.Test > 0)
            {
                var test = TaskSetGenerator.Generate(families, 1, 4, settings.Test, unchecked((int)spec.Seed) + 7000, "pretrain-test");
                var report = StudentEvaluator.Evaluate(result.Student, test, new Student.Grading.GraderLookup(families), batchSize: 64, maxNewTokens: 48, ct: cancellationToken);
                var byDifficulty = report.Items.GroupBy(i => i.Difficulty).OrderBy(g => g.Key)
                    .Select(g => FormattableString.Invariant($"d{g.Key} {100.0 * g.Count(i => i.Correct) / g.Count():F1} %"));
                AnsiConsole.MarkupLineInterpolated($"accuracy on {test.Count} test items: {100 * report.Accuracy:F1} % ({string.Join(", ", byDifficulty)})");
            }
        }
        return Task.FromResult(0);
    }
}
