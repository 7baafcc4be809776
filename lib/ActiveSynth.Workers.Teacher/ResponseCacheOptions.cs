using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using System.ComponentModel.DataAnnotations;

namespace ActiveSynth.Workers.Teacher;

/// <summary>
/// The Redis response cache (section <c>Teacher:Cache</c>): a re-run of the same spec bills the endpoint nothing, while its budget
/// is charged what the replies cost when they were paid for.
/// </summary>
public sealed class ResponseCacheOptions
{
    public const string SectionName = "Teacher:Cache";

    /// <summary>The switch: false turns the cache off for every request.</summary>
    public bool Enabled { get; set; } = true;

    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Key prefix in Redis.</summary>
    [Required]
    public string KeyPrefix { get; set; } = "activesynth:teacher:cache:";
}
