namespace ActiveSynth.AppHost.Workers;

/// <summary>
/// A worker kind whose replicas the AppHost does not start (<c>Services:&lt;Kind&gt;:Source=external</c>). It shows on the dashboard,
/// with a state kept by <see cref="ExternalWorkerWatcher"/>: "Waiting" until a replica answers a probe, then "Running".
/// </summary>
public sealed class ExternalWorkerResource(string name, string kind) : Resource(name)
{
    /// <summary>The worker kind as probes name it: "teacher", "scoring", "training".</summary>
    public string Kind { get; } = kind;
}

public static class ExternalWorkerResourceExtensions
{
    public const string ResourceType = "ExternalWorker";

    public static IResourceBuilder<ExternalWorkerResource> AddExternalWorker(this IDistributedApplicationBuilder builder, WorkerSettings worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        return builder.AddResource(new ExternalWorkerResource(worker.Name, worker.Name))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = ResourceType,
                State = new ResourceStateSnapshot(ExternalWorkerWatcher.Waiting, KnownResourceStateStyles.Info),
                Properties = [new ResourcePropertySnapshot("source", "external")],
            })
            .ExcludeFromManifest();
    }
}
