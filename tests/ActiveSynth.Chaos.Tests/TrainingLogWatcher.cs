using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;

namespace ActiveSynth.Chaos.Tests;

/// <summary>
/// Reads the Training replicas' own logs (through the AppHost's resource logger) and records each round they actually trained
/// ("Run X round R: trained ..."; a redelivery that finds the checkpoint logs "already exists" instead). Result streams cannot
/// show this: their acked entries are trimmed within seconds.
/// </summary>
public sealed partial class TrainingLogWatcher : IDisposable
{
    private readonly ConcurrentQueue<(string RunId, int Round, string Instance)> _trained = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _watching = [];

    public TrainingLogWatcher(ResourceLoggerService logs, IEnumerable<string> trainingInstances)
    {
        foreach (var instance in trainingInstances)
        {
            _watching.Add(Task.Run(() => WatchAsync(logs, instance)));
        }
    }

    /// <summary>(round, instances) of every round of <paramref name="runId"/> trained more than once.</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<string>> TrainedTwice(string runId) =>
        _trained.Where(t => t.RunId == runId).GroupBy(t => t.Round).Where(g => g.Count() > 1)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(t => t.Instance)]);

    public int Trainings(string runId) => _trained.Count(t => t.RunId == runId);

    private async Task WatchAsync(ResourceLoggerService logs, string instance)
    {
        try
        {
            await foreach (var batch in logs.WatchAsync(instance).WithCancellation(_stop.Token))
            {
                foreach (var line in batch)
                {
                    if (Trained().Match(line.Content) is { Success: true } m)
                    {
                        _trained.Enqueue((m.Groups[1].Value, int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), instance));
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // disposed
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            Task.WaitAll([.. _watching], TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // the log streams ended with the app
        }
        _stop.Dispose();
    }

    [GeneratedRegex(@"Run (\S+) round (\d+): trained ")]
    private static partial Regex Trained();
}
