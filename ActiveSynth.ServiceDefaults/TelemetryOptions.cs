using System.ComponentModel.DataAnnotations;

namespace ActiveSynth.ServiceDefaults;

/// <summary>
/// Section <c>Telemetry</c> (forwarded by the AppHost to every service): which Redis commands get a span. A command issued outside
/// any span (a consumer polling an empty stream, a pending gauge, a lease renewal, trimming) never gets one: it would be a trace of
/// its own, and idle consumers poll several times a second. A command inside a span (a handler continuing a round's trace, a stage)
/// gets one only when it took at least <see cref="SlowRedisCommand"/>: the fast ones (idempotency markers, cache lookups, result
/// polls) were most of a round's spans and say nothing the messaging spans do not; a slow one explains a slow stage.
/// </summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>Shortest Redis command (issued inside a span) that gets a span (default 100 ms; 0 traces every one). <c>Telemetry:SlowRedisCommand</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Telemetry:SlowRedisCommand must be 0 to 1 hour.")]
    public TimeSpan SlowRedisCommand { get; set; } = TimeSpan.FromMilliseconds(100);
}
