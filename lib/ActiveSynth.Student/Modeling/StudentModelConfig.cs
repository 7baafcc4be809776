using System.ComponentModel.DataAnnotations;
using ActiveSynth.Core.Students;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ActiveSynth.Student.Modeling;

/// <summary>
/// Shape of the decoder-only transformer (pre-LN, learned positions, GELU feed-forward, untied LM head).
/// The defaults are the embedded v7 student (docs/architecture.md, "The embedded recipe"): d128, 2 layers, 4 heads, FF 512, context 96.
/// </summary>
public sealed record StudentModelConfig
{
    /// <summary>Vocabulary size; 0 = the tokenizer's (filled in when the model is created).</summary>
    [Range(0, 1_000_000)]
    public int VocabSize { get; init; }

    [Range(EmbeddedStudentShapeLimits.MinDModel, EmbeddedStudentShapeLimits.MaxDModel)]
    public int DModel { get; init; } = 128;

    [Range(1, EmbeddedStudentShapeLimits.MaxLayers)]
    public int Layers { get; init; } = 2;

    [Range(1, EmbeddedStudentShapeLimits.MaxHeads)]
    public int Heads { get; init; } = 4;

    /// <summary>Hidden width of the feed-forward block; 0 = 4 × <see cref="DModel"/>.</summary>
    [Range(0, EmbeddedStudentShapeLimits.MaxFeedForward)]
    public int FeedForward { get; init; } = 512;

    /// <summary>Context length in tokens (prompt + answer).</summary>
    [Range(EmbeddedStudentShapeLimits.MinContext, EmbeddedStudentShapeLimits.MaxContext)]
    public int Context { get; init; } = 96;

    public int FeedForwardOrDefault => FeedForward > 0 ? FeedForward : 4 * DModel;

    public void Validate()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        if (DModel % Heads != 0)
        {
            throw new ValidationException($"DModel ({DModel}) must be divisible by Heads ({Heads}).");
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static StudentModelConfig FromJson(string json) =>
        JsonSerializer.Deserialize<StudentModelConfig>(json, JsonOptions) ?? throw new InvalidDataException("config.json is empty.");

    /// <summary>Stable short hash of the configuration (part of the base cache key).</summary>
    public string Hash() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToJson())))[..16];

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };
}
