using System.Security.Cryptography;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Tasks;
using Google.Protobuf;

namespace ActiveSynth.Selection.DefaultRun;

/// <summary>
/// The built-in default run: embedded teacher and student on the learnable v7 string families (copy, rev, shift; difficulty
/// 1–4), loss-high, m = 64 for 8 rounds (512 samples: the curve rises after about 250), continuing training with the optimizer state kept at a constant
/// learning rate and 50 % replay of base data (the v7 recipe, recipes/embedded-benchmark.md). A few minutes on 2 CPU cores.
/// </summary>
public static class DefaultRunSpec
{
    public static RunSpec Create()
    {
        var spec = new RunSpec
        {
            Name = "default (embedded, loss-high)",
            Task = new TaskSpec { MinDifficulty = 1, MaxDifficulty = 4, SeedPoolSize = 400, TestSetSize = 120 },
            Student = new StudentSpec { Kind = StudentKind.Embedded },
            Teacher = new TeacherSpec { Kind = TeacherKind.Embedded },
            Strategy = new StrategySpec { Name = "loss-high" },
            Mode = GenerationMode.SeedSelection,
            SamplesPerRound = 64,
            Budget = new Budget { MaxSamples = 512 },
            Training = new TrainingOptions
            {
                Init = TrainInit.Continue,
                KeepOptimizerState = true,
                LrSchedule = "constant",
                LearningRate = 1e-3,
                ReplayFraction = 0.5,
            },
            RandomSeed = 1,
            MaxRounds = 8,
        };
        spec.Task.Families.AddRange(TaskFamilyRegistry.EmbeddedBenchmarkFamilies);
        spec.Labels["default"] = "true";
        return spec;
    }

    /// <summary>A short stable hash of the spec (its protobuf bytes are deterministic for one spec).</summary>
    public static string Hash(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Convert.ToHexStringLower(SHA256.HashData(spec.ToByteArray()))[..12];
    }
}
