using System.ComponentModel.DataAnnotations;

namespace ActiveSynth.Messaging;

/// <summary>The Redis memory health check's settings (section <c>Messaging:RedisMemory</c>), validated at start.</summary>
public sealed class RedisMemoryOptions
{
    public const string SectionName = "Messaging:RedisMemory";

    /// <summary>
    /// Share of Redis's <c>maxmemory</c> in use above which the check reports Degraded (Redis runs with <c>noeviction</c>, so at
    /// 100 % every write fails: this warns while there is still room to delete runs).
    /// </summary>
    [Range(0.05, 0.99)]
    public double DegradedAbove { get; set; } = 0.8;
}
