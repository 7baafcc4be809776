using ActiveSynth.Cli.Local;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Budgets;

namespace ActiveSynth.Benchmarks.Orchestration;

/// <summary>The default run's spec (copy/rev/shift, loss-high, 4 rounds of 64), once as a RunSpec and once as a local config.</summary>
internal static class Spec
{
    public const int Rounds = 4;
    public const int SamplesPerRound = 64;
    public const int Pool = 400;
    public const int Test = 120;
    public const long Seed = 1;

    public static string Description => $"copy,rev,shift d1-4, pool {Pool}, test {Test}, loss-high, {Rounds} rounds x {SamplesPerRound}, 40 steps/round, replay 0.5, base cached";

    public static RunSpec Proto(int rounds) => new()
    {
        Name = "orchestration benchmark",
        Task = new TaskSpec { Families = { "copy", "rev", "shift" }, MinDifficulty = 1, MaxDifficulty = 4, SeedPoolSize = Pool, TestSetSize = Test },
        Strategy = new StrategySpec { Name = "loss-high" },
        SamplesPerRound = SamplesPerRound,
        MaxRounds = rounds,
        Budget = new Budget { MaxSamples = rounds * SamplesPerRound },
        Training = new TrainingOptions
        {
            Init = TrainInit.Continue,
            KeepOptimizerState = true,
            LrSchedule = "constant",
            LearningRate = 1e-3,
            ReplayFraction = 0.5,
            Steps = 40,
        },
        RandomSeed = Seed,
    };

    public static LocalRunConfig Local(string runId, int rounds) => new()
    {
        RunId = runId,
        Strategy = "loss-high",
        Seed = Seed,
        SeedPoolSize = Pool,
        TestSetSize = Test,
        SamplesPerRound = SamplesPerRound,
        MaxRounds = rounds,
        Budget = new BudgetLimits(MaxSamples: rounds * SamplesPerRound),
    };
}
