using ActiveSynth.Cli.Local;
using ActiveSynth.Student.Training;

namespace ActiveSynth.Cli.Commands;

internal static class LocalConfigs
{
    public static LocalRunConfig From(LocalRunSettings settings, string runId, string strategy, long seed) => new()
    {
        RunId = runId,
        Strategy = strategy,
        Seed = seed,
        Families = settings.FamilyList,
        SeedPoolSize = settings.Pool,
        TestSetSize = settings.Test,
        SamplesPerRound = settings.SamplesPerRound,
        MaxRounds = settings.Rounds,
        Budget = settings.ParsedBudget,
        BaseSteps = settings.BaseSteps,
        Training = new TrainingSettings { Steps = settings.TrainSteps },
        HfStudent = string.IsNullOrWhiteSpace(settings.HfModel)
            ? null
            : new LocalHfStudent(settings.ModelsRoot ?? settings.Artifacts, settings.HfModel, settings.HfOptionMap),
    };
}
