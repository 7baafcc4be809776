using ActiveSynth.Core.Artifacts;
using ActiveSynth.Hosting.Grpc;
using Grpc.Core;

namespace ActiveSynth.Selection.Grpc;

public static class SelectionRefusals
{
    /// <summary>
    /// The Selection service's own refusals: an upload whose bytes do not match its announced sha256 (DataLoss), and one to a path
    /// that already holds other content (AlreadyExists). Both can only come from ArtifactsApi.Upload, hence the field names.
    /// </summary>
    public static IServiceCollection MapSelectionRefusals(this IServiceCollection services)
    {
        services.MapRpcException<InvalidDataException>(ex => RpcRefusal.Of(StatusCode.DataLoss, "header.sha256", ex.Message));
        services.MapRpcException<ArtifactConflictException>(ex => RpcRefusal.Of(StatusCode.AlreadyExists, "header.path", ex.Message));
        return services;
    }
}
