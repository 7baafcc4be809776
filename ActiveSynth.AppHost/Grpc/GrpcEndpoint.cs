namespace ActiveSynth.AppHost.Grpc;

internal static class GrpcEndpoint
{
    /// <summary>Name of every service's gRPC endpoint (h2c).</summary>
    public const string Name = "grpc";
}
