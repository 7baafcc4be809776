using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Load.Tests;

/// <summary>
/// Small run specs for the suite: inline seeds and test items whose ids carry a tag unique to the run, so every sample's lineage
/// can be traced back to the run's own seeds; a sample budget of 2 rounds × 8, a few training steps, a small test set.
/// </summary>
public static class LoadSpecs
{
    public const int SamplesPerRound = 8;

    public static RunSpec Small(string tag, string family, string strategy, TeacherKind teacher, long maxSamples, int randomSeed)
    {
        var registry = TaskFamilyRegistry.Default;
        var families = new[] { registry.Get(family) };
        var seeds = TaskSetGenerator.Generate(families, 1, 3, 24, randomSeed, $"{tag}-seed");
        var test = TaskSetGenerator.Generate(families, 1, 3, 8, randomSeed + 1, $"{tag}-test", seeds.Select(s => s.Question).ToHashSet(StringComparer.Ordinal));
        var task = new TaskSpec { Families = { family }, MinDifficulty = 1, MaxDifficulty = 3 };
        task.SeedItems.AddRange(seeds.Select(ToSeed));
        task.TestItems.AddRange(test.Select(ToSeed));
        return new RunSpec
        {
            Name = $"load-{tag}",
            Task = task,
            Teacher = new TeacherSpec { Kind = teacher },
            Strategy = new StrategySpec { Name = strategy },
            SamplesPerRound = SamplesPerRound,
            MaxRounds = 0, // until the sample budget is met: a round that loses samples is made up by the next
            Budget = new Budget { MaxSamples = maxSamples },
            // The embedded recipe's training without replay (these families are not the base's), 3 steps a round.
            Training = new TrainingOptions(EmbeddedRecipe.Training()) { ReplayFraction = 0, Steps = 3 },
            RandomSeed = randomSeed,
            Labels = { ["suite"] = "load", ["tag"] = tag },
        };
    }

    private static SeedItem ToSeed(TaskItem item) => new()
    {
        Id = item.Id,
        Family = item.Family,
        Difficulty = item.Difficulty,
        Question = item.Question,
        Answer = item.Answer,
    };
}
