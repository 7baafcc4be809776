using System.ComponentModel.DataAnnotations;

namespace ActiveSynth.ServiceDefaults;

/// <summary>
/// Section <c>Grpc</c>: the size limits every ActiveSynth gRPC server enforces, validated at start. A request over
/// <see cref="MaxReceiveMessageBytes"/> is refused with ResourceExhausted before it is deserialized, so one oversize or
/// hostile message costs the server nothing and the next request is served as usual. Large data (seed pools, datasets,
/// checkpoints) travels as files in the artifact store, referenced by path and sha256, never inline.
/// </summary>
public sealed class GrpcLimitsOptions
{
    public const string SectionName = "Grpc";

    /// <summary>Largest request message accepted, in bytes (default 4 MiB; 1 KiB to 256 MiB). Per service: <c>Grpc:MaxReceiveMessageBytes</c>.</summary>
    [Range(1024, 256 * 1024 * 1024, ErrorMessage = "Grpc:MaxReceiveMessageBytes must be 1 KiB to 256 MiB.")]
    public int MaxReceiveMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Whether gRPC server reflection is served (<c>Grpc:Reflection</c>): unset (the default) = only in the Development environment.
    /// The AppHost sets it to true for the services it starts locally (they listen on loopback), so <c>grpcurl</c> can list them
    /// there. Reflection hands whoever connects a map of every method and message, so a deployment past loopback does without it
    /// unless it sets this to true.
    /// </summary>
    public bool? Reflection { get; set; }
}
