using ActiveSynth.Cli.Seeds;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using Google.Protobuf;

namespace ActiveSynth.Cli.Commands;

/// <summary>
/// The command line's options as a <see cref="RunSpec"/>, the only description of a run: the <c>--spec</c> file (or the embedded
/// recipe) with every option that was given written over its field. The same spec runs in-process or on a deployment.
/// </summary>
internal static class CliSpecs
{
    private const int DefaultSamplesPerRound = 64;
    private const int DefaultRounds = 8;
    private const int DefaultPool = 400;
    private const int DefaultTest = 300;
    private const int DefaultOvergenerateFactor = 4;

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default);

    /// <summary>The spec of one run; <paramref name="strategy"/> and <paramref name="seed"/> override the file's when given.</summary>
    public static RunSpec Build(LocalRunSettings s, string? strategy, long? seed)
    {
        ArgumentNullException.ThrowIfNull(s);
        var spec = s.SpecFile is { } file ? Load(file) : Recipe(s);
        if (s.SamplesPerRound is { } m)
        {
            spec.SamplesPerRound = m;
        }
        if (s.Rounds is { } rounds)
        {
            spec.MaxRounds = rounds;
        }
        spec.Task ??= new TaskSpec();
        if (s.Pool is { } pool)
        {
            spec.Task.SeedPoolSize = pool;
        }
        if (s.Test is { } test)
        {
            spec.Task.TestSetSize = test;
        }
        if (s.Benchmark is not null)
        {
            BenchmarkPresets.Apply(BenchmarkPresets.Find(s.Benchmark) ?? throw new SpecFileException($"--benchmark: unknown '{s.Benchmark}'"), spec);
        }
        if (s.Mode is not null)
        {
            ApplyMode(spec, s.Mode, s.OvergenerateFactor);
        }
        else if (spec.Mode == GenerationMode.Overgenerate && s.OvergenerateFactor is { } k)
        {
            spec.OvergenerateFactor = k;
        }
        if (s.Families is not null)
        {
            spec.Task.Families.Clear();
            spec.Task.Families.AddRange(s.FamilyList);
        }
        SetTaskFiles(spec.Task, s);
        if (s.TrainSteps is { } steps)
        {
            spec.Training ??= EmbeddedRecipe.Training();
            spec.Training.Steps = steps;
        }
        if (!string.IsNullOrWhiteSpace(s.Budget))
        {
            var limits = s.ParsedBudget;
            spec.Budget = new Budget
            {
                MaxSamples = limits.MaxSamples,
                MaxTeacherCalls = limits.MaxTeacherCalls,
                MaxTeacherTokens = limits.MaxTeacherTokens,
                MaxCostUsd = limits.MaxCostUsd,
                MaxWallTime = spec.Budget?.MaxWallTime,
            };
        }
        if (!string.IsNullOrWhiteSpace(s.HfModel))
        {
            spec.Student = new StudentSpec { Kind = StudentKind.Hf, Path = s.HfModel };
            foreach (var (key, value) in s.HfOptionMap)
            {
                spec.Student.Options[key] = value;
            }
        }
        TeacherChoice.Apply(spec, s.Teacher, s.TeacherModel);
        if (strategy is not null)
        {
            spec.Strategy = new StrategySpec { Name = strategy };
        }
        if (seed is { } master)
        {
            spec.RandomSeed = master;
        }
        spec.Name = $"{spec.Strategy?.Name} seed {spec.RandomSeed}";
        return spec;
    }

    /// <summary>
    /// <c>--mode</c>: <c>seed</c> (seed selection) or <c>overgenerate</c>, whose factor is <paramref name="factor"/>, else the
    /// spec's when it has one, else 4.
    /// </summary>
    public static void ApplyMode(RunSpec spec, string mode, int? factor)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Mode = mode == "overgenerate" ? GenerationMode.Overgenerate : GenerationMode.SeedSelection;
        if (spec.Mode == GenerationMode.Overgenerate)
        {
            spec.OvergenerateFactor = factor ?? (spec.OvergenerateFactor >= 2 ? spec.OvergenerateFactor : DefaultOvergenerateFactor);
        }
    }

    /// <summary>
    /// <c>--seed-file</c>/<c>--test-file</c> as task.seed_file/test_file; inline items of a spec file give way to them. A seed
    /// file without any test file is refused: a test set generated from the families would not measure the imported task.
    /// </summary>
    private static void SetTaskFiles(TaskSpec task, LocalRunSettings s)
    {
        if (s.SeedFile is { } seeds)
        {
            task.SeedFile = SeedSets.ToSpecPath(seeds);
            task.SeedItems.Clear();
        }
        if (s.TestFile is { } test)
        {
            task.TestFile = SeedSets.ToSpecPath(test);
            task.TestItems.Clear();
        }
        if (s.SeedFile is not null && string.IsNullOrEmpty(task.TestFile) && task.TestItems.Count == 0)
        {
            throw new SpecFileException("--seed-file needs --test-file: without it the test set would be generated from the families "
                + $"({string.Join(",", task.Families)}), which does not measure the imported task");
        }
    }

    /// <summary>A RunSpec file in protobuf JSON; a parse error names the file.</summary>
    public static RunSpec Load(string path)
    {
        try
        {
            return Parser.Parse<RunSpec>(File.ReadAllText(path));
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new SpecFileException($"--spec: '{path}' is not a RunSpec in protobuf JSON: {ex.Message}");
        }
        catch (InvalidJsonException ex)
        {
            throw new SpecFileException($"--spec: '{path}' is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>The embedded recipe, with no budget: the rounds end the run unless <c>--budget</c> says otherwise.</summary>
    private static RunSpec Recipe(LocalRunSettings s)
    {
        var spec = EmbeddedRecipe.Spec("loss-high", 0, s.SamplesPerRound ?? DefaultSamplesPerRound, s.Rounds ?? DefaultRounds, DefaultPool, DefaultTest);
        spec.Budget = new Budget();
        return spec;
    }
}

/// <summary>A <c>--spec</c> file that cannot be read as a RunSpec.</summary>
internal sealed class SpecFileException(string message) : Exception(message);
