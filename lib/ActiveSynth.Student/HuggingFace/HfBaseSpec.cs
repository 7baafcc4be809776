using System.ComponentModel.DataAnnotations;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Training;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// A small Hugging Face-format base made here (<c>activesynth students pretrain</c>): a Qwen2 or Llama architecture of
/// about a million parameters with a byte-level tokenizer (256 byte tokens, no merges, the template's special tokens),
/// pretrained with all weights trainable on a benchmark's families the way the embedded base is (difficulty 1 only by
/// default: the answer format and the easiest cell), so a run has something to improve. No pretrained weights can be
/// downloaded on the machines this is built on, so this is what proves the HF path learns.
/// </summary>
public sealed record HfBaseSpec
{
    public HfArchitecture Architecture { get; init; } = HfArchitecture.Qwen2;

    [Range(8, 4096)]
    public int HiddenSize { get; init; } = 128;

    [Range(1, 64)]
    public int Layers { get; init; } = 2;

    [Range(1, 64)]
    public int Heads { get; init; } = 4;

    /// <summary>Grouped-query attention's key/value heads (must divide <see cref="Heads"/>).</summary>
    [Range(1, 64)]
    public int KeyValueHeads { get; init; } = 2;

    [Range(8, 16384)]
    public int IntermediateSize { get; init; } = 512;

    /// <summary><c>max_position_embeddings</c>: the string families' prompts and answers fit in about 80 byte tokens.</summary>
    [Range(16, 4096)]
    public int MaxPositions { get; init; } = 128;

    /// <summary>
    /// RoPE base. Not Qwen2.5's 10⁶ (made for 32k contexts): at 128 positions that leaves most rotary dimensions nearly
    /// constant, and a model this small then learns position-dependent copying far more slowly.
    /// </summary>
    [Range(1.0, 1e9)]
    public double RopeTheta { get; init; } = 10_000;

    [MinLength(1)]
    public IReadOnlyList<string> Families { get; init; } = TaskFamilyRegistry.EmbeddedBenchmarkFamilies;

    [MinLength(1)]
    public IReadOnlyList<int> Difficulties { get; init; } = [1];

    [Range(1, 1_000_000)]
    public int Steps { get; init; } = 600;

    [Range(1, 4096)]
    public int BatchSize { get; init; } = 32;

    [Range(1e-6, 1.0)]
    public double LearningRate { get; init; } = 3e-3;

    [Range(0, 1_000_000)]
    public int WarmupSteps { get; init; } = 20;

    public long Seed { get; init; }

    public void Validate()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        if (Heads % KeyValueHeads != 0)
        {
            throw new ValidationException($"KeyValueHeads ({KeyValueHeads}) must divide Heads ({Heads}).");
        }
        if (HiddenSize % Heads != 0 || HiddenSize / Heads % 2 != 0)
        {
            throw new ValidationException($"HiddenSize ({HiddenSize}) / Heads ({Heads}) must be a whole, even head size (rotary embeddings).");
        }
    }

    /// <summary>The model's <c>config.json</c> for a tokenizer of <paramref name="vocabulary"/>: Qwen2's or Llama 3's keys and conventions.</summary>
    public HfModelConfig ModelConfig(ByteLevelVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var qwen = Architecture == HfArchitecture.Qwen2;
        return new HfModelConfig
        {
            Architecture = Architecture,
            VocabSize = vocabulary.Count,
            HiddenSize = HiddenSize,
            IntermediateSize = IntermediateSize,
            Layers = Layers,
            Heads = Heads,
            KeyValueHeads = KeyValueHeads,
            HeadDim = HiddenSize / Heads,
            RmsNormEps = qwen ? 1e-6 : 1e-5,
            RopeTheta = RopeTheta,
            MaxPositions = MaxPositions,
            // Qwen2.5's small models tie the LM head to the embeddings; Llama 3.2's 1B does too, but untied is the Llama default.
            TieWordEmbeddings = qwen,
            AttentionBias = qwen,
            TorchDtype = TorchSharp.torch.ScalarType.Float32,
            BosTokenId = vocabulary.BosId,
            EosTokenIds = vocabulary.EosIds,
        };
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
}
