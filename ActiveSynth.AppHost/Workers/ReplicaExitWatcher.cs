using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActiveSynth.AppHost.Workers;

/// <summary>
/// Says on the AppHost's console when a service replica it started exits while the AppHost runs: which replica (its resource
/// instance, e.g. <c>scoring-2</c>), its exit code, how long after its start, and the last lines it wrote. Without it, a replica
/// that dies at start (a port in use, a bad command, a missing file) is visible only in the dashboard, and a run completes on
/// the replicas that are left with nothing on the console.
/// </summary>
public static class ReplicaExitWatcher
{
    /// <summary>The logger category of the exit reports (an error for a non-zero exit code, a warning for 0).</summary>
    public const string Category = "ActiveSynth.AppHost.Replicas";

    /// <summary>How many of the replica's last log lines a report quotes.</summary>
    public const int QuotedLines = 5;

    public static void WatchReplicaExits(this IDistributedApplicationBuilder builder, IReadOnlyList<IResource> services)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(services);
        if (builder.ExecutionContext.IsPublishMode || services.Count == 0)
        {
            return;
        }
        var watched = services.ToHashSet();
        builder.Eventing.Subscribe<AfterResourcesCreatedEvent>((e, startup) =>
        {
            var notifications = e.Services.GetRequiredService<ResourceNotificationService>();
            var logs = e.Services.GetRequiredService<ResourceLoggerService>();
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
            var stopping = e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            // Runs for the AppHost's lifetime; it reports its own failure instead of leaving it unobserved.
            _ = Task.Run(() => WatchAsync(watched, notifications, logs, logger, stopping), stopping);
            return Task.CompletedTask;
        });
    }

    private static async Task WatchAsync(HashSet<IResource> watched, ResourceNotificationService notifications, ResourceLoggerService logs,
        ILogger logger, CancellationToken stopping)
    {
        // Per replica: whether its current life's exit has been reported (cleared when it starts again).
        var reported = new Dictionary<string, bool>(StringComparer.Ordinal);
        try
        {
            await foreach (var e in notifications.WatchAsync(stopping).ConfigureAwait(false))
            {
                if (!watched.Contains(e.Resource))
                {
                    continue;
                }
                var state = e.Snapshot.State?.Text;
                if (state == KnownResourceStates.Starting || state == KnownResourceStates.Running)
                {
                    reported[e.ResourceId] = false;
                    continue;
                }
                var exited = state == KnownResourceStates.FailedToStart
                             || ((state == KnownResourceStates.Exited || state == KnownResourceStates.Finished) && e.Snapshot.ExitCode is not null);
                if (!exited || reported.GetValueOrDefault(e.ResourceId) || stopping.IsCancellationRequested)
                {
                    continue;
                }
                reported[e.ResourceId] = true;
                var lastLines = await LastLinesAsync(logs, e.ResourceId, stopping).ConfigureAwait(false);
                Report(logger, ReplicaName(e), state!, e.Snapshot, lastLines);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The AppHost is stopping: replicas exit because it stops them.
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"[activesynth] stopped watching replica exits: {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>
    /// The replica as the dashboard names it: the resource (<c>scoring-2</c>, an executable replica), or the instance of a project
    /// with replicas (<c>scoring-abcd1234</c>); with its process id when it had one.
    /// </summary>
    private static string ReplicaName(ResourceEvent e)
    {
        var name = e.Resource.TryGetLastAnnotation<ReplicaAnnotation>(out var replicas) && replicas.Replicas > 1 ? e.ResourceId : e.Resource.Name;
        var pid = e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value;
        return pid is null ? name : $"{name} (pid {pid})";
    }

    private static void Report(ILogger logger, string replica, string state, CustomResourceSnapshot snapshot, IReadOnlyList<string> lastLines)
    {
        var code = snapshot.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none";
        var lifetime = snapshot.StartTimeStamp is { } started && snapshot.StopTimeStamp is { } stopped && stopped >= started
            ? string.Create(CultureInfo.InvariantCulture, $"{(stopped - started).TotalSeconds:0.0} s after it started")
            : "before it ran";
        var tail = lastLines.Count == 0 ? "" : $"; its last output:{Environment.NewLine}  {string.Join($"{Environment.NewLine}  ", lastLines)}";
        if (state == KnownResourceStates.FailedToStart || snapshot.ExitCode != 0)
        {
            LogExitError(logger, replica, state == KnownResourceStates.FailedToStart ? "failed to start" : "exited", code, lifetime, tail);
        }
        else
        {
            LogExitZero(logger, replica, lifetime, tail);
        }
    }

    /// <summary>The last <see cref="QuotedLines"/> lines the replica wrote (the resource's log backlog), for the report.</summary>
    private static async Task<IReadOnlyList<string>> LastLinesAsync(ResourceLoggerService logs, string replica, CancellationToken ct)
    {
        var lines = new List<LogLine>();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await foreach (var batch in logs.GetAllAsync(replica).WithCancellation(timeout.Token).ConfigureAwait(false))
            {
                lines.AddRange(batch);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // What arrived in time is enough.
        }
        // The orchestrator's own "[sys]" lines (starting the process, ...) say nothing about why it exited.
        return [.. lines.OrderBy(l => l.LineNumber).Select(l => WithoutTimestamp(l.Content)).Where(l => !l.StartsWith("[sys]", StringComparison.Ordinal))
            .TakeLast(QuotedLines)];
    }

    /// <summary>A log line without the ISO timestamp the orchestrator puts in front of it.</summary>
    private static string WithoutTimestamp(string content)
    {
        var space = content.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && DateTimeOffset.TryParse(content.AsSpan(0, space), CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            ? content[(space + 1)..].TrimEnd()
            : content.TrimEnd();
    }

    private static readonly Action<ILogger, string, string, string, string, string, Exception?> ExitError = LoggerMessage.Define<string, string, string, string, string>(
        LogLevel.Error, new EventId(1, "ReplicaExited"), "Replica {Replica} {What} with exit code {ExitCode}, {Lifetime}; the deployment runs on without it{Tail}");

    private static readonly Action<ILogger, string, string, string, Exception?> ExitZero = LoggerMessage.Define<string, string, string>(
        LogLevel.Warning, new EventId(2, "ReplicaStopped"), "Replica {Replica} exited with exit code 0, {Lifetime}; the deployment runs on without it{Tail}");

    private static void LogExitError(ILogger logger, string replica, string what, string code, string lifetime, string tail) =>
        ExitError(logger, replica, what, code, lifetime, tail, null);

    private static void LogExitZero(ILogger logger, string replica, string lifetime, string tail) => ExitZero(logger, replica, lifetime, tail, null);
}
