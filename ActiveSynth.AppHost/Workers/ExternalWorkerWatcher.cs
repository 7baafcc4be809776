using ActiveSynth.Contracts.V1;
using ActiveSynth.AppHost.Grpc;
using Google.Protobuf.WellKnownTypes;
using ActiveSynth.Contracts.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActiveSynth.AppHost.Workers;

/// <summary>
/// Shows whether the replicas of each external worker kind are there: every few seconds it asks the Selection service to probe
/// them (<c>Diagnostics.Probe</c>, a message through the same Redis streams the work takes, answered by the kind's consumers),
/// sets the kind's dashboard state ("Waiting" or "Running", with the instances that answered) and says so on the console
/// when that changes.
/// </summary>
public static class ExternalWorkerWatcher
{
    public const string Waiting = "Waiting";
    public const string Running = "Running";
    /// <summary>The dashboard property with the address an external replica without the shared folder names in Artifacts__Remote.</summary>
    public const string ArtifactsProperty = "artifacts-remote";

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public static void WatchExternalWorkers(this IResourceBuilder<ProjectResource> selection, IReadOnlyList<ExternalWorkerResource> externals)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(externals);
        if (externals.Count == 0 || selection.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            return;
        }
        // With deployment keys set (Security:Keys:*), the AppHost calls Selection as the deployment itself: the service key.
        var config = selection.ApplicationBuilder.Configuration;
        var credential = new DeploymentCredential(NullIfEmpty(config["Security:Keys:Service"]), NullIfEmpty(config["Security:TrustedCaPath"]));
        foreach (var external in externals)
        {
            Console.WriteLine($"[activesynth] {external.Kind}: Services:{Title(external.Kind)}:Source=external, so the AppHost starts no {external.Kind}; " +
                              "waiting for replicas started elsewhere to join through the same Redis.");
        }
        var endpoint = selection.GetEndpoint(GrpcEndpoint.Name);
        selection.ApplicationBuilder.Eventing.Subscribe<AfterResourcesCreatedEvent>((e, startup) =>
        {
            var notifications = e.Services.GetRequiredService<ResourceNotificationService>();
            var stopping = e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            // Runs for the AppHost's lifetime; it reports its own failure instead of leaving it unobserved.
            _ = Task.Run(() => WatchAsync(selection.Resource, endpoint, credential, externals, notifications, stopping), stopping);
            return Task.CompletedTask;
        });
    }

    private static async Task WatchAsync(ProjectResource selection, EndpointReference endpoint, DeploymentCredential credential, IReadOnlyList<ExternalWorkerResource> externals,
        ResourceNotificationService notifications, CancellationToken stopping)
    {
        try
        {
            await notifications.WaitForResourceHealthyAsync(selection.Name, stopping).ConfigureAwait(false);
            var address = await endpoint.GetValueAsync(stopping).ConfigureAwait(false) ?? endpoint.Url;
            Console.WriteLine($"[activesynth] external replicas join with ConnectionStrings__redis (the same Redis) and either Artifacts__Root=<this deployment's artifact folder, when shared> " +
                              $"or their own Artifacts__Root plus Artifacts__Remote={address} (the artifact service; README: Swapping a service).");
            using var channel = credential.Open(address);
            var diagnostics = new Diagnostics.DiagnosticsClient(channel);
            var seen = externals.ToDictionary(e => e.Kind, _ => (string?)null);
            foreach (var external in externals)
            {
                await notifications.PublishUpdateAsync(external, s => s with
                {
                    Properties = [.. s.Properties.Where(p => p.Name != ArtifactsProperty), new ResourcePropertySnapshot(ArtifactsProperty, address)],
                }).ConfigureAwait(false);
            }
            while (!stopping.IsCancellationRequested)
            {
                var request = new ProbeRequest { Timeout = Duration.FromTimeSpan(ProbeTimeout) };
                request.Targets.AddRange(externals.Select(e => e.Kind));
                ProbeReport? report = null;
                try
                {
                    report = await diagnostics.ProbeAsync(request, deadline: DateTime.UtcNow + ProbeTimeout * 3, cancellationToken: stopping).ConfigureAwait(false);
                }
                catch (global::Grpc.Core.RpcException)
                {
                    // The Selection service is restarting: try again next time.
                }
                foreach (var external in externals)
                {
                    if (report is null)
                    {
                        continue;
                    }
                    var instances = string.Join(", ", report.Replies.Where(r => r.Service == external.Kind).Select(r => r.Instance).Distinct().Order());
                    if (seen[external.Kind] == instances)
                    {
                        continue;
                    }
                    seen[external.Kind] = instances;
                    await PublishAsync(notifications, external, instances).ConfigureAwait(false);
                }
                await Task.Delay(Interval, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The AppHost is stopping.
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"[activesynth] stopped watching external workers: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static async Task PublishAsync(ResourceNotificationService notifications, ExternalWorkerResource external, string instances)
    {
        var present = instances.Length > 0;
        Console.WriteLine(present
            ? $"[activesynth] {external.Kind} (external): answering probes: {instances}"
            : $"[activesynth] {external.Kind} (external): no replica answers probes; start one against the same Redis (README: Swapping a service).");
        await notifications.PublishUpdateAsync(external, s => s with
        {
            State = present
                ? new ResourceStateSnapshot(Running, KnownResourceStateStyles.Success)
                : new ResourceStateSnapshot(Waiting, KnownResourceStateStyles.Info),
            Properties = [.. s.Properties.Where(p => p.Name is not "instances"), new ResourcePropertySnapshot("instances", present ? instances : "(none)")],
        }).ConfigureAwait(false);
    }

    private static string Title(string kind) => char.ToUpperInvariant(kind[0]) + kind[1..];

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
