using System.ComponentModel.DataAnnotations;

namespace ActiveSynth.Teachers.Resilience;

/// <summary>Client-side limits that keep a worker inside the endpoint's quota (configuration section <c>Teacher:RateLimits</c>). 0 = unlimited.</summary>
public sealed class RateLimitOptions
{
    [Range(0, 1_000_000)]
    public int RequestsPerMinute { get; set; }

    [Range(0, 100_000_000)]
    public int TokensPerMinute { get; set; }

    /// <summary>Calls in flight at once.</summary>
    [Range(0, 10_000)]
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>Completion tokens assumed for admission when a call sets no MaxOutputTokens.</summary>
    [Range(1, 1_000_000)]
    public int DefaultCompletionTokens { get; set; } = 512;
}
