using System.Net.Http.Headers;

namespace ActiveSynth.Load.Tests;

/// <summary>
/// Everything the deployment has said, as text to scan: structured logs, traces and spans from the dashboard's telemetry API
/// (per resource) and its resource list, the AppHost's own log, each resource's console output, and the text files of the run
/// reports under the artifact directory.
/// </summary>
public static class TelemetryCapture
{
    public sealed record Document(string Source, string Text);

    public static async Task<IReadOnlyList<Document>> CaptureAsync(LoadAppHostFixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        var documents = new List<Document>();
        using var http = new HttpClient { BaseAddress = fixture.DashboardUrl, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("x-api-key", fixture.DashboardApiKey);
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var paths = LoadAppHostFixture.Services
            .SelectMany(resource => new[] { "logs", "traces", "spans" }.Select(api => $"/api/telemetry/{api}?resource={resource}&limit=100000"))
            .Append("/api/telemetry/resources");
        foreach (var path in paths)
        {
            using var response = await http.GetAsync(path);
            var text = await response.Content.ReadAsStringAsync();
            documents.Add(new Document($"dashboard {path} ({(int)response.StatusCode})", response.IsSuccessStatusCode ? text : ""));
        }
        documents.Add(new Document("apphost log", fixture.AppHostLogs.Snapshot()));
        foreach (var (resource, text) in fixture.ConsoleLogs.Snapshot())
        {
            documents.Add(new Document($"console log of {resource}", text));
        }
        var runs = Path.Combine(fixture.ArtifactsRoot, "runs");
        if (Directory.Exists(runs))
        {
            foreach (var file in Directory.EnumerateFiles(runs, "*", SearchOption.AllDirectories)
                         .Where(f => Path.GetExtension(f) is ".json" or ".md" or ".jsonl" or ".txt" or ".csv"))
            {
                documents.Add(new Document($"report file {Path.GetRelativePath(fixture.ArtifactsRoot, file)}", await File.ReadAllTextAsync(file)));
            }
        }
        return documents;
    }

    /// <summary>Where <paramref name="secret"/> occurs, each with a little context (the secret itself masked).</summary>
    public static IReadOnlyList<string> Find(IEnumerable<Document> documents, string secret, string label)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var hits = new List<string>();
        foreach (var document in documents)
        {
            var at = document.Text.IndexOf(secret, StringComparison.Ordinal);
            if (at >= 0)
            {
                var from = Math.Max(0, at - 120);
                var context = document.Text[from..Math.Min(document.Text.Length, at + secret.Length + 60)].Replace(secret, $"<{label}>", StringComparison.Ordinal);
                hits.Add($"{label} in {document.Source}: …{context}…");
            }
        }
        return hits;
    }
}
