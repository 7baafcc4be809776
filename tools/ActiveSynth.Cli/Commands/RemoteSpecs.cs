using ActiveSynth.Contracts.V1;

namespace ActiveSynth.Cli.Commands;

/// <summary>The CLI's run options as a RunSpec for a deployment: the same v7 defaults the local runs use.</summary>
internal static class RemoteSpecs
{
    public static RunSpec From(RunCommand.Settings s)
    {
        var budget = s.ParsedBudget;
        var spec = new RunSpec
        {
            Name = $"cli {s.Strategy} seed {s.Seed}",
            Task = new TaskSpec { MinDifficulty = 1, MaxDifficulty = 4, SeedPoolSize = s.Pool, TestSetSize = s.Test },
            Strategy = new StrategySpec { Name = s.Strategy },
            SamplesPerRound = s.SamplesPerRound,
            MaxRounds = s.Rounds,
            Budget = new Budget
            {
                MaxSamples = budget.MaxSamples,
                MaxTeacherCalls = budget.MaxTeacherCalls,
                MaxTeacherTokens = budget.MaxTeacherTokens,
                MaxCostUsd = budget.MaxCostUsd,
            },
            Training = new TrainingOptions
            {
                Init = TrainInit.Continue,
                KeepOptimizerState = true,
                LrSchedule = "constant",
                LearningRate = 1e-3,
                ReplayFraction = 0.5,
                Steps = s.TrainSteps,
            },
            RandomSeed = s.Seed,
        };
        spec.Task.Families.AddRange(s.FamilyList);
        if (!string.IsNullOrWhiteSpace(s.HfModel))
        {
            spec.Student = new StudentSpec { Kind = StudentKind.Hf, Path = s.HfModel };
            foreach (var (key, value) in s.HfOptionMap)
            {
                spec.Student.Options[key] = value;
            }
        }
        return spec;
    }
}
