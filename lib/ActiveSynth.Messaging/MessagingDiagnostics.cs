using System.Diagnostics;

namespace ActiveSynth.Messaging;

/// <summary>
/// Names under which the library emits traces and metrics; ServiceDefaults registers them with
/// OpenTelemetry (<c>AddSource(MessagingDiagnostics.Name)</c>, <c>AddMeter(MessagingDiagnostics.Name)</c>).
/// </summary>
public static class MessagingDiagnostics
{
    /// <summary>ActivitySource and Meter name.</summary>
    public const string Name = "ActiveSynth.Messaging";

    // One process-wide source: spans are not per host, and listeners subscribe by name.
    internal static readonly ActivitySource ActivitySource = new(Name);
}
