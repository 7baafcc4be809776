using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActiveSynth.AppHost;

public static class ReportAnnouncer
{
    /// <summary>The marker of the Selection service's "run report" log line (EventId 7007).</summary>
    private const string Marker = " report: ";

    /// <summary>The marker of the Selection service's "default run refused" log line (EventId 7024).</summary>
    private const string RefusedMarker = "Default run refused";

    /// <summary>
    /// Echoes the Selection service's "Run … report: &lt;path&gt;" lines, and its "Default run refused (spec …): &lt;field&gt;: &lt;reason&gt;"
    /// line, on the AppHost console, where a `dotnet run` user looks: a refused default-run spec is not only in the service's log.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AnnounceRunReports(this IResourceBuilder<ProjectResource> selection)
    {
        if (selection.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            return selection;
        }
        selection.ApplicationBuilder.Eventing.Subscribe<AfterResourcesCreatedEvent>((e, startup) =>
        {
            var logs = e.Services.GetRequiredService<ResourceLoggerService>();
            var stopping = e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            // Runs for the AppHost's lifetime; it reports its own failure instead of leaving it unobserved.
            _ = Task.Run(async () =>
            {
                try
                {
                    await foreach (var batch in logs.WatchAsync(selection.Resource).WithCancellation(stopping))
                    {
                        foreach (var line in batch)
                        {
                            if (ConsoleLine(line.Content) is { } text)
                            {
                                Console.WriteLine(text);
                            }
                        }
                    }
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    // The AppHost is stopping.
                }
                catch (Exception ex)
                {
                    Console.Error.WriteLine($"[activesynth] stopped echoing run reports: {ex.GetType().Name}: {ex.Message}");
                }
            }, stopping);
            return Task.CompletedTask;
        });
        return selection;
    }

    /// <summary>What the console shows for one Selection log line: a report path or a refused default run; null for any other line.</summary>
    internal static string? ConsoleLine(string content)
    {
        if (content.IndexOf(RefusedMarker, StringComparison.Ordinal) is var refused and >= 0)
        {
            return $"[activesynth] {content[refused..]}";
        }
        return content.Contains(Marker, StringComparison.Ordinal)
            ? $"[activesynth] {content[(content.IndexOf("Run ", StringComparison.Ordinal) is var i and >= 0 ? i : 0)..]}"
            : null;
    }
}
