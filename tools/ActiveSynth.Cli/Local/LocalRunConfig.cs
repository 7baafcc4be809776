using ActiveSynth.Core.Budgets;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Training;

namespace ActiveSynth.Cli.Local;

/// <summary>
/// One in-process run. The defaults are the embedded benchmark's learnable configuration ("v7" in
/// ../shared/recipes/embedded-benchmark.md): copy/rev/shift at difficulty 1..4, a base pretrained on difficulty 1
/// only, then 40 steps per round at a constant lr with the pretraining optimizer carried over and 50 % replay.
/// </summary>
public sealed record LocalRunConfig
{
    public required string RunId { get; init; }

    public string Strategy { get; init; } = "loss-high";

    public IReadOnlyDictionary<string, string> StrategyOptions { get; init; } = new Dictionary<string, string>();

    /// <summary>Master seed: pool, test set, base checkpoint, teacher and training are all derived from it.</summary>
    public long Seed { get; init; }

    public IReadOnlyList<string> Families { get; init; } = TaskFamilyRegistry.EmbeddedBenchmarkFamilies;

    public int MinDifficulty { get; init; } = 1;

    public int MaxDifficulty { get; init; } = 4;

    public int SeedPoolSize { get; init; } = 400;

    public int TestSetSize { get; init; } = 300;

    public int SamplesPerRound { get; init; } = 64;

    public int MaxRounds { get; init; } = 8;

    public BudgetLimits Budget { get; init; } = BudgetLimits.Unlimited;

    public GenerationMode Mode { get; init; } = GenerationMode.SeedSelection;

    public int OvergenerateFactor { get; init; } = 2;

    /// <summary>Teacher tokens reserved per sample before its two calls (settled to the real usage after).</summary>
    public long ReservedTokensPerSample { get; init; } = 600;

    public double TeacherErrorRate { get; init; }

    public int BaseSteps { get; init; } = 600;

    public TrainingSettings Training { get; init; } = new();

    /// <summary>A Hugging Face student instead of the embedded one (null = embedded).</summary>
    public LocalHfStudent? HfStudent { get; init; }

    public BaseStudentSpec BaseSpec => new()
    {
        Families = Families,
        Steps = BaseSteps,
        Seed = Seed,
    };

    public LoopSettings LoopSettings => new()
    {
        Strategy = Strategy,
        StrategyOptions = StrategyOptions,
        SamplesPerRound = SamplesPerRound,
        MaxRounds = MaxRounds,
        Budget = Budget,
        Mode = Mode,
        OvergenerateFactor = OvergenerateFactor,
        RandomSeed = Seed,
        GenerationParallelism = 8,
        GenerationReservation = new BudgetAmount(1, 2, ReservedTokensPerSample, 0),
    };
}

/// <summary>A Hugging Face student of a local run: <c>student.path</c> under <paramref name="ModelsRoot"/> and its <c>student.options</c>.</summary>
public sealed record LocalHfStudent(string ModelsRoot, string Path, IReadOnlyDictionary<string, string> Options);
