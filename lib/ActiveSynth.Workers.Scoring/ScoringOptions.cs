using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using System.ComponentModel.DataAnnotations;

namespace ActiveSynth.Workers.Scoring;

/// <summary>Scoring service settings, bound from <c>Scoring</c> and validated at start.</summary>
public sealed class ScoringOptions
{
    public const string SectionName = "Scoring";

    /// <summary>Items per forward batch (the spike decodes up to 512 at once).</summary>
    [Range(1, 4096)]
    public int BatchSize { get; set; } = 256;

    /// <summary>Greedy decode limit when the request does not set <c>student.max_new_tokens</c>.</summary>
    [Range(1, 4096)]
    public int MaxNewTokens { get; set; } = 64;

    /// <summary>Loaded checkpoints kept in memory (LRU, keyed by the weights' sha256).</summary>
    [Range(1, 64)]
    public int ModelCacheCapacity { get; set; } = 4;

    /// <summary>Items one request may carry.</summary>
    [Range(1, 1_000_000)]
    public int MaxItemsPerRequest { get; set; } = 100_000;
}
