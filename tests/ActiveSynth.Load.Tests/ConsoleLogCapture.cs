using System.Collections.Concurrent;
using System.Text;
using Aspire.Hosting.ApplicationModel;

namespace ActiveSynth.Load.Tests;

/// <summary>The console output of resources, as Aspire's <see cref="ResourceLoggerService"/> streams it (its backlog first), kept for the scan.</summary>
public sealed class ConsoleLogCapture : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, StringBuilder> _logs = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _watchers = [];

    public void Start(ResourceLoggerService logger, IEnumerable<IResource> resources)
    {
        ArgumentNullException.ThrowIfNull(logger);
        foreach (var resource in resources)
        {
            var buffer = _logs.GetOrAdd(resource.Name, _ => new StringBuilder());
            _watchers.Add(Task.Run(async () =>
            {
                try
                {
                    await foreach (var batch in logger.WatchAsync(resource).WithCancellation(_stop.Token))
                    {
                        lock (buffer)
                        {
                            foreach (var line in batch)
                            {
                                buffer.AppendLine(line.Content);
                            }
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                    // stopped with the fixture
                }
            }));
        }
    }

    /// <summary>What each resource has written so far (resource name → text).</summary>
    public IReadOnlyDictionary<string, string> Snapshot() => _logs.ToDictionary(p => p.Key, p =>
    {
        lock (p.Value)
        {
            return p.Value.ToString();
        }
    });

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_watchers).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
