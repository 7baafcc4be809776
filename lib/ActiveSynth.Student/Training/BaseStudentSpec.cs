using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Modeling;

namespace ActiveSynth.Student.Training;

/// <summary>
/// How the embedded base student is made: the model shape and its pretraining on generic family text. The defaults
/// are v7 (docs/architecture.md, "The embedded recipe"): families copy, rev, shift; difficulty 1 only (the answer format plus the
/// easiest cell); 600 AdamW steps, batch 32, lr 2e-3, linear warmup (20 steps) then cosine decay. The base is cached
/// in the artifact store under <c>bases/&lt;hash of this spec&gt;</c>, with its optimizer state.
/// </summary>
public sealed record BaseStudentSpec
{
    /// <summary>Pretraining steps of the recipe's base.</summary>
    public const int DefaultSteps = 600;

    /// <summary>The recipe's base: the one place its shape and pretraining are written (service options and CLI defaults read it).</summary>
    public static BaseStudentSpec Default { get; } = new();

    public StudentModelConfig Model { get; init; } = new();

    /// <summary>Families whose items the base is pretrained on (names of registered task families).</summary>
    [MinLength(1)]
    public IReadOnlyList<string> Families { get; init; } = TaskFamilyRegistry.EmbeddedBenchmarkFamilies;

    /// <summary>Difficulties drawn during pretraining, uniformly (v7: difficulty 1 only).</summary>
    [MinLength(1)]
    public IReadOnlyList<int> Difficulties { get; init; } = [1];

    [Range(1, 1_000_000)]
    public int Steps { get; init; } = DefaultSteps;

    [Range(1, 65536)]
    public int BatchSize { get; init; } = 32;

    [Range(1e-7, 1.0)]
    public double LearningRate { get; init; } = 2e-3;

    [Range(0, 1_000_000)]
    public int WarmupSteps { get; init; } = 20;

    /// <summary>Seed of the initialisation and of the pretraining items.</summary>
    public long Seed { get; init; }

    /// <summary>Pretraining items kept with the base as <c>replay.jsonl</c> (the replay source of later rounds).</summary>
    [Range(1, 1_000_000)]
    public int ReplayPoolSize { get; init; } = 4096;

    public void Validate()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        Model.Validate();
    }

    public TrainingSettings PretrainingSettings() => new()
    {
        Steps = Steps,
        BatchSize = BatchSize,
        LearningRate = LearningRate,
        WarmupSteps = WarmupSteps,
        Schedule = LearningRateSchedule.WarmupCosine,
        ReplayFraction = 1.0,
        Seed = Seed,
    };

    /// <summary>Cache key: a stable hash of everything that decides the base's weights (tokenizer alphabet included).</summary>
    public string Hash(string tokenizerAlphabet)
    {
        var canonical = JsonSerializer.Serialize(new
        {
            model = Model,
            families = Families,
            difficulties = Difficulties,
            steps = Steps,
            batch = BatchSize,
            lr = LearningRate,
            warmup = WarmupSteps,
            seed = Seed,
            replay = ReplayPoolSize,
            alphabet = tokenizerAlphabet,
            version = 1,
        }, StudentModelConfig.JsonOptions);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..16];
    }
}
