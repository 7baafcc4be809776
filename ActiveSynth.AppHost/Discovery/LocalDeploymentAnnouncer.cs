using ActiveSynth.AppHost.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActiveSynth.AppHost.Discovery;

public static class LocalDeploymentAnnouncer
{
    /// <summary>
    /// Once the Selection service's gRPC endpoint is allocated: prints its address beside the dashboard's (the address the command
    /// line's <c>--server</c> takes) and records it in the local deployment file (<see cref="LocalDeploymentFile"/>,
    /// <paramref name="settings"/>' <see cref="ActiveSynthSettings.LocalDeploymentFile"/>), where <c>activesynth runs</c>,
    /// <c>watch</c>, <c>cancel</c>, ... find it without <c>--server</c>. The file is deleted when the AppHost stops.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AnnounceSelection(this IResourceBuilder<ProjectResource> selection, ActiveSynthSettings settings)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(settings);
        var builder = selection.ApplicationBuilder;
        if (builder.ExecutionContext.IsPublishMode)
        {
            return selection;
        }
        var dashboard = builder.Configuration["ASPNETCORE_URLS"]?.Split(';')[0];
        var endpoint = selection.GetEndpoint(GrpcEndpoint.Name);
        var path = settings.LocalDeploymentFile;
        selection.OnResourceEndpointsAllocated((_, e, _) =>
        {
            var address = endpoint.Url;
            var (pid, startedAt) = LocalDeploymentFile.CurrentProcess();
            try
            {
                LocalDeploymentFile.Write(path, new LocalDeployment(address, dashboard, settings.ArtifactsRoot, pid, startedAt));
                e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => LocalDeploymentFile.DeleteIfOwn(path));
                Console.WriteLine($"[activesynth] Selection (Runs API, gRPC): {address}  (activesynth runs, watch, cancel, ... find it in {path}; elsewhere: --server {address})");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Console.WriteLine($"[activesynth] Selection (Runs API, gRPC): {address}  (could not record it in {path}: {ex.Message}; pass --server {address} to activesynth)");
            }
            return Task.CompletedTask;
        });
        return selection;
    }
}
