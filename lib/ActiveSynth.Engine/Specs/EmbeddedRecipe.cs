using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Engine.Specs;

/// <summary>
/// The one definition of the embedded benchmark's working configuration ("v7" of the embedded-benchmark spike): the learnable
/// string families copy/rev/shift at difficulty 1–4, and rounds that continue from the previous checkpoint with the optimizer
/// state kept, a constant learning rate of 1e-3 and 50 % replay of base data (a fresh warm-up every round makes the tiny
/// student forget). The default run, the CLI, the tests and the benchmarks all start from here; a spec that leaves its
/// training options unset for an embedded student gets <see cref="Training"/> (<see cref="RunPlan"/>).
/// </summary>
public static class EmbeddedRecipe
{
    public const string Name = "v7";

    public const int MinDifficulty = 1;

    public const int MaxDifficulty = 4;

    /// <summary>Round training of the recipe; steps stay 0 = the Training service's default (40).</summary>
    public static TrainingOptions Training() => new()
    {
        Init = TrainInit.Continue,
        KeepOptimizerState = true,
        LrSchedule = "constant",
        LearningRate = 1e-3,
        ReplayFraction = 0.5,
    };

    /// <summary>The recipe's task: the learnable families with a generated pool and test set of the given sizes.</summary>
    public static TaskSpec Task(int seedPoolSize, int testSetSize)
    {
        var task = new TaskSpec { MinDifficulty = MinDifficulty, MaxDifficulty = MaxDifficulty, SeedPoolSize = seedPoolSize, TestSetSize = testSetSize };
        task.Families.AddRange(TaskFamilyRegistry.EmbeddedBenchmarkFamilies);
        return task;
    }

    /// <summary>A whole run of the recipe: embedded student and teacher, seed selection with <paramref name="strategy"/>.</summary>
    public static RunSpec Spec(string strategy, long randomSeed, int samplesPerRound, int maxRounds, int seedPoolSize = 400, int testSetSize = 120) => new()
    {
        Name = $"{strategy} seed {randomSeed} ({Name})",
        Task = Task(seedPoolSize, testSetSize),
        Student = new StudentSpec { Kind = StudentKind.Embedded },
        Teacher = new TeacherSpec { Kind = TeacherKind.Embedded },
        Strategy = new StrategySpec { Name = strategy },
        Mode = GenerationMode.SeedSelection,
        SamplesPerRound = samplesPerRound,
        MaxRounds = maxRounds,
        Budget = new Budget { MaxSamples = (long)samplesPerRound * maxRounds },
        Training = Training(),
        RandomSeed = randomSeed,
    };
}
