using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActiveSynth.Hosting;

public static class ReportAnnouncer
{
    /// <summary>The marker of the Selection service's "run report" log line (EventId 7007).</summary>
    private const string Marker = " report: ";

    /// <summary>Echoes the Selection service's "Run … report: &lt;path&gt;" lines on the AppHost console, where a `dotnet run` user looks.</summary>
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
                        foreach (var line in batch.Where(l => l.Content.Contains(Marker, StringComparison.Ordinal)))
                        {
                            Console.WriteLine($"[activesynth] {line.Content[(line.Content.IndexOf("Run ", StringComparison.Ordinal) is var i and >= 0 ? i : 0)..]}");
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
}
