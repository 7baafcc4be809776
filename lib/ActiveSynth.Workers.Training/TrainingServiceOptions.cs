using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using System.ComponentModel.DataAnnotations;
using ActiveSynth.Core.Students;
using ActiveSynth.Student.Training;

namespace ActiveSynth.Workers.Training;

/// <summary>
/// Training service settings, bound from <c>Training</c> and validated at start. The base's defaults are
/// <see cref="BaseStudentSpec.Default"/>, the embedded recipe's base (docs/architecture.md, "The embedded recipe"); the round
/// defaults are 40 steps at batch 32.
/// </summary>
public sealed class TrainingServiceOptions
{
    public const string SectionName = "Training";

    private static readonly BaseStudentSpec Recipe = BaseStudentSpec.Default;

    // ---- the embedded base (StudentSpec fields override the model shape)
    [Range(EmbeddedStudentShapeLimits.MinDModel, EmbeddedStudentShapeLimits.MaxDModel)]
    public int DModel { get; set; } = Recipe.Model.DModel;

    [Range(1, EmbeddedStudentShapeLimits.MaxLayers)]
    public int Layers { get; set; } = Recipe.Model.Layers;

    [Range(1, EmbeddedStudentShapeLimits.MaxHeads)]
    public int Heads { get; set; } = Recipe.Model.Heads;

    /// <summary>Feed-forward width; 0 = 4 × DModel.</summary>
    [Range(0, EmbeddedStudentShapeLimits.MaxFeedForward)]
    public int FeedForward { get; set; } = Recipe.Model.FeedForward;

    [Range(EmbeddedStudentShapeLimits.MinContext, EmbeddedStudentShapeLimits.MaxContext)]
    public int Context { get; set; } = Recipe.Model.Context;

    /// <summary>Families the base is pretrained on (comma-separated registered names).</summary>
    [Required, MinLength(1)]
    public string BaseFamilies { get; set; } = string.Join(',', Recipe.Families);

    /// <summary>Difficulties of the pretraining items (comma-separated).</summary>
    [Required, MinLength(1)]
    public string BaseDifficulties { get; set; } = string.Join(',', Recipe.Difficulties);

    [Range(1, 1_000_000)]
    public int BaseSteps { get; set; } = Recipe.Steps;

    [Range(1, 65536)]
    public int BaseBatchSize { get; set; } = Recipe.BatchSize;

    [Range(1e-7, 1.0)]
    public double BaseLearningRate { get; set; } = Recipe.LearningRate;

    public long BaseSeed { get; set; } = Recipe.Seed;

    [Range(1, 1_000_000)]
    public int BaseReplayPoolSize { get; set; } = Recipe.ReplayPoolSize;

    /// <summary>Pretrain (or load) the default base when the service starts, so round 0 answers at once.</summary>
    public bool PretrainOnStart { get; set; }

    /// <summary>
    /// Lease of one train request (one replica trains it at a time): renewed every third of it while training, so it only runs
    /// out when its holder died; then another replica takes over after at most this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RequestLeaseTime { get; set; } = TimeSpan.FromSeconds(30);

    // ---- round defaults (used where TrainingOptions leaves a field 0)
    [Range(1, 1_000_000)]
    public int Steps { get; set; } = 40;

    [Range(1e-7, 1.0)]
    public double LearningRate { get; set; } = 1e-3;

    [Range(1, 65536)]
    public int BatchSize { get; set; } = 32;

    [Range(0.0, 1.0)]
    public double WeightDecay { get; set; } = 0.01;

    [Range(0.0, 1e6)]
    public double GradClip { get; set; } = 1.0;

    // ---- evaluation
    [Range(1, 4096)]
    public int EvalBatchSize { get; set; } = 256;

    [Range(1, 4096)]
    public int MaxNewTokens { get; set; } = 64;

    /// <summary>Per-item results go into TrainResult.evaluation when the test set has at most this many items.</summary>
    [Range(0, 1_000_000)]
    public int IncludeEvalItemsUpTo { get; set; } = 1000;
}
