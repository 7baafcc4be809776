using System.ComponentModel;
using System.Globalization;
using ActiveSynth.Cli.Seeds;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Budgets;
using ActiveSynth.Core.Students;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Student.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActiveSynth.Cli.Commands;

/// <summary>Options shared by `run --local` and `compare`: the embedded benchmark's configuration, overridable.</summary>
public class LocalRunSettings : CommandSettings
{
    [CommandOption("--spec <FILE>")]
    [Description("A RunSpec in protobuf JSON (the format of Selection:DefaultRun:SpecFile); the options below override its fields. Default: the embedded recipe (v7).")]
    public string? SpecFile { get; init; }

    [CommandOption("--samples-per-round <M>")]
    [Description("Samples kept per round (m). Default 64.")]
    public int? SamplesPerRound { get; init; }

    [CommandOption("--rounds <N>")]
    [Description("Maximum rounds (0 = until the budget is spent). Default 8.")]
    public int? Rounds { get; init; }

    [CommandOption("--budget <LIMIT>")]
    [Description("Budget limits, comma-separated: samples=N, tokens=N, calls=N, cost=USD. Default: none (rounds decide).")]
    public string? Budget { get; init; }

    [CommandOption("--pool <N>")]
    [Description("Seed pool size. Default 400.")]
    public int? Pool { get; init; }

    [CommandOption("--test <N>")]
    [Description("Held-out test items. Default 300.")]
    public int? Test { get; init; }

    [CommandOption("--families <LIST>")]
    [Description("Task families, comma-separated. Default copy,rev,shift (the learnable v7 set).")]
    public string? Families { get; init; }

    [CommandOption("--benchmark <NAME>")]
    [Description("A named task set: strings (copy, rev, shift: the embedded recipe), arith-logic (step10, bool: arithmetic and logic rescaled to the embedded student, every cell learnable given far more samples than a comparison's budget) or letters (swap, back, rot: other letter transforms); see benchmarks/README.md. Sets the families and the families the embedded base is pretrained on. Not with --families.")]
    public string? Benchmark { get; init; }

    [CommandOption("--mode <MODE>")]
    [Description("seed (score the seed pool, pick m: the paper's mode; the default) or overgenerate (write k·m candidates, score them, keep m).")]
    public string? Mode { get; init; }

    [CommandOption("--overgenerate-factor <K>")]
    [Description("k of --mode overgenerate: candidates per kept sample. Default 4.")]
    public int? OvergenerateFactor { get; init; }

    [CommandOption("--seed-file <SET|PATH>")]
    [Description("The seed pool from a file instead of generated (task.seed_file): the name of a set stored by `seeds import`, or a JSONL path under the artifact root (the deployment's with --server). Needs --test-file (or a spec file with a test set).")]
    public string? SeedFile { get; init; }

    [CommandOption("--test-file <SET|PATH>")]
    [Description("The held-out test set from a file (task.test_file): an imported set's name or a JSONL path under the artifact root.")]
    public string? TestFile { get; init; }

    [CommandOption("--teacher <KIND>")]
    [Description("embedded (no keys, the default) or openai: an OpenAI-compatible endpoint whose address and key come only from ConnectionStrings:teacher (here the environment variable ConnectionStrings__teacher=\"Endpoint=...;Key=...;Model=...\"; with --server, the deployment's).")]
    public string? Teacher { get; init; }

    [CommandOption("--teacher-model <NAME>")]
    [Description("With --teacher openai: the model or deployment name sent to the endpoint (teacher.model). Default: the connection string's Model.")]
    public string? TeacherModel { get; init; }

    [CommandOption("--base-steps <N>")]
    [Description("In-process runs: pretraining steps of the embedded base (Training:BaseSteps of a deployment; cached per configuration). Default 600.")]
    public int BaseSteps { get; init; } = BaseStudentSpec.DefaultSteps;

    [CommandOption("--train-steps <N>")]
    [Description("Training steps per round (training.steps). Default 40.")]
    public int? TrainSteps { get; init; }

    [CommandOption("--artifacts <DIR>")]
    [Description("Artifact directory (checkpoints, run state, reports). Default .artifacts/local.")]
    public string Artifacts { get; init; } = ".artifacts/local";

    [CommandOption("--threads <N>")]
    [Description("libtorch intra-op threads per process; 1 is fastest for the tiny student. Default 1.")]
    public int Threads { get; init; } = 1;

    [CommandOption("--hf-model <PATH>")]
    [Description("A Hugging Face student (Qwen2/Llama checkpoint directory) instead of the embedded one: student.path, relative to --models-root here (to the services' Student:ModelsRoot with --server).")]
    public string? HfModel { get; init; }

    [CommandOption("--hf-option <KEY=VALUE>")]
    [Description("A student.options entry of the Hugging Face student (dtype, chat_template, system_prompt, max_context, lora_rank, lora_alpha, lora_dropout, lora_target_modules); repeatable.")]
    public string[] HfOptions { get; init; } = [];

    [CommandOption("--models-root <DIR>")]
    [Description("In-process runs: the directory a Hugging Face student.path is relative to (Student:ModelsRoot of a deployment). Default: the artifact directory.")]
    public string? ModelsRoot { get; init; }

    /// <summary>The <c>--hf-option</c> entries as <c>student.options</c>.</summary>
    public IReadOnlyDictionary<string, string> HfOptionMap =>
        HfOptions.Select(o => o.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0].Trim(), kv => kv[1], StringComparer.Ordinal);

    public override ValidationResult Validate()
    {
        if (HfProblem() is { } hf)
        {
            return ValidationResult.Error(hf);
        }
        if (SamplesPerRound <= 0)
        {
            return ValidationResult.Error("--samples-per-round must be > 0");
        }
        if (Rounds < 0 || Pool <= 0 || Test <= 0 || BaseSteps <= 0 || TrainSteps <= 0 || Threads <= 0)
        {
            return ValidationResult.Error("--rounds must be >= 0 and --pool, --test, --base-steps, --train-steps, --threads > 0");
        }
        if (Rounds == 0 && string.IsNullOrWhiteSpace(Budget) && SpecFile is null)
        {
            return ValidationResult.Error("--rounds 0 needs a --budget, or the run would never end");
        }
        if (BenchmarkProblem() is { } benchmark)
        {
            return ValidationResult.Error(benchmark);
        }
        if (Mode is not (null or "seed" or "overgenerate"))
        {
            return ValidationResult.Error($"--mode: '{Mode}' is not seed or overgenerate");
        }
        if (OvergenerateFactor is { } k && (k < 2 || k > RunSpecLimits.MaxOvergenerateFactor))
        {
            return ValidationResult.Error($"--overgenerate-factor must be 2..{RunSpecLimits.MaxOvergenerateFactor}, got {k}");
        }
        if (SpecFile is not null && !File.Exists(SpecFile))
        {
            return ValidationResult.Error($"--spec: '{SpecFile}' does not exist");
        }
        if ((TaskFiles.Problem("--seed-file", SeedFile) ?? TaskFiles.Problem("--test-file", TestFile)) is { } taskFile)
        {
            return ValidationResult.Error(taskFile);
        }
        if (TeacherChoice.Problem(Teacher, TeacherModel) is { } teacher)
        {
            return ValidationResult.Error(teacher);
        }
        return TryParseBudget(Budget, out _, out var error) ? ValidationResult.Success() : ValidationResult.Error(error!);
    }

    private string? BenchmarkProblem()
    {
        if (Benchmark is null)
        {
            return null;
        }
        if (BenchmarkPresets.Find(Benchmark) is null)
        {
            return $"--benchmark: unknown '{Benchmark}'; expected one of {string.Join(", ", BenchmarkPresets.Names)}";
        }
        return Families is not null ? "--benchmark and --families both set the families: give one" : null;
    }

    private string? HfProblem()
    {
        if (string.IsNullOrWhiteSpace(HfModel))
        {
            return HfOptions.Length > 0 ? "--hf-option needs --hf-model" : null;
        }
        if (ArtifactStore.ProblemWith(HfModel) is { } problem)
        {
            return $"--hf-model: '{HfModel}' {problem.Replace("artifact root", "models root", StringComparison.Ordinal)}";
        }
        var bad = HfOptions.FirstOrDefault(o => o.Split('=', 2) is not [{ Length: > 0 }, _]);
        if (bad is not null)
        {
            return $"--hf-option: '{bad}' is not key=value";
        }
        try
        {
            HfStudentOptionValues.Parse(HfOptionMap);
            return null;
        }
        catch (HfOptionException ex)
        {
            return $"--hf-option: {ex.Message}";
        }
    }

    /// <summary>
    /// For a run in this process: a problem with <c>--seed-file</c>/<c>--test-file</c> that only the local artifact directory
    /// can show (the set or file is not there); null when both are fine. A deployment checks its own (StartRun names the field).
    /// </summary>
    public string? LocalTaskFileProblem() =>
        TaskFiles.MissingLocally("--seed-file", SeedFile, Artifacts) ?? TaskFiles.MissingLocally("--test-file", TestFile, Artifacts);

    /// <summary>
    /// For a run in this process: <c>--teacher openai</c> without an endpoint in the environment; null otherwise. A deployment's
    /// Teacher service holds its own endpoint.
    /// </summary>
    public string? LocalTeacherProblem() => TeacherChoice.MissingEndpoint(Teacher, Environment.GetEnvironmentVariable(TeacherChoice.EnvironmentVariable));

    public BudgetLimits ParsedBudget => TryParseBudget(Budget, out var limits, out var error) ? limits : throw new InvalidOperationException(error);

    public IReadOnlyList<string> FamilyList => [.. (Families ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>
    /// The in-process engine's settings, under the services' configuration keys: what a deployment sets in its services'
    /// configuration rather than in the spec.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string?>> EngineSettings()
    {
        yield return new("Student:Threads", Threads.ToString(CultureInfo.InvariantCulture));
        yield return new("Training:BaseSteps", BaseSteps.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrWhiteSpace(HfModel) || ModelsRoot is not null)
        {
            yield return new("Student:ModelsRoot", Path.GetFullPath(ModelsRoot ?? Artifacts));
        }
        if (!string.IsNullOrWhiteSpace(TeacherModel))
        {
            // The teacher accepts only the models its configuration names; in this process the user's --model is that choice.
            yield return new("Teacher:AllowedModels:0", TeacherModel);
        }
    }

    private static bool TryParseBudget(string? text, out BudgetLimits limits, out string? error)
    {
        limits = BudgetLimits.Unlimited;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2 || !double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0)
            {
                error = $"--budget: '{part}' is not name=positive-number";
                return false;
            }
            switch (kv[0])
            {
                case "samples": limits = limits with { MaxSamples = (long)value }; break;
                case "tokens": limits = limits with { MaxTeacherTokens = (long)value }; break;
                case "calls": limits = limits with { MaxTeacherCalls = (long)value }; break;
                case "cost": limits = limits with { MaxCostUsd = value }; break;
                default:
                    error = $"--budget: unknown limit '{kv[0]}'; expected samples, tokens, calls or cost";
                    return false;
            }
        }
        return true;
    }
}
