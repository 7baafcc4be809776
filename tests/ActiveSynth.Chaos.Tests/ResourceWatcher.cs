using System.Collections.Concurrent;
using Aspire.Hosting.ApplicationModel;

namespace ActiveSynth.Chaos.Tests;

/// <summary>The latest Aspire snapshot of every resource instance (one per replica), kept up to date in the background.</summary>
public sealed class ResourceWatcher : IDisposable
{
    private readonly ConcurrentDictionary<string, ResourceEvent> _latest = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watching;

    public ResourceWatcher(ResourceNotificationService notifications)
    {
        _watching = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in notifications.WatchAsync(_stop.Token))
                {
                    _latest[e.ResourceId] = e;
                }
            }
            catch (OperationCanceledException)
            {
                // disposed
            }
        });
    }

    /// <summary>The instances of resource <paramref name="name"/> (replicas have ids like <c>teacher-abcd1234</c>), by id.</summary>
    public IReadOnlyList<ResourceEvent> Instances(string name) =>
        [.. _latest.Values.Where(e => e.Resource.Name == name).OrderBy(e => e.ResourceId, StringComparer.Ordinal)];

    public ResourceEvent? Instance(string resourceId) => _latest.GetValueOrDefault(resourceId);

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _watching.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // the watch ended with the app
        }
        _stop.Dispose();
    }
}
