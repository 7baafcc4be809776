using ActiveSynth.Contracts.V1;
using Xunit.Abstractions;
using Fault = ActiveSynth.Testing.FakeOpenAiServer.Fault;

namespace ActiveSynth.Load.Tests;

/// <summary>
/// The teacher's API key and the Redis password never reach a log, a span or a report: after a run on the OpenAI-compatible
/// teacher (with a retry or two, so the failure paths log too), everything the deployment recorded is scanned for both.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class SecretScanTests(LoadAppHostFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Neither_the_teacher_key_nor_the_redis_password_appears_in_logs_traces_or_reports()
    {
        var runs = new RunDriver(fixture);
        var runId = $"load-scan-{Guid.NewGuid():N}"[..22];
        fixture.Teacher.PermanentFault = null;
        fixture.Teacher.Enqueue(Fault.RateLimited, 1);
        fixture.Teacher.Enqueue(Fault.ServerError, 1);
        fixture.Teacher.Enqueue(Fault.MalformedJson, 1);
        await runs.StartAsync(runId, LoadSpecs.Small("scan", "shift", "random", TeacherKind.Openai, maxSamples: 8, randomSeed: 21));
        var finished = await runs.WaitFinishedAsync(runId, TimeSpan.FromMinutes(3));
        Assert.True(finished is not null, $"run {runId} did not finish within 3 minutes");

        // Telemetry is exported in batches: wait until the dashboard holds this run's logs and spans before scanning.
        IReadOnlyList<TelemetryCapture.Document> documents = [];
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            documents = await TelemetryCapture.CaptureAsync(fixture);
        }
        while (DateTime.UtcNow < deadline && !Covers(documents, runId));

        foreach (var document in documents)
        {
            output.WriteLine($"{document.Source}: {document.Text.Length} chars");
        }
        var dashboardChars = documents.Where(d => d.Source.StartsWith("dashboard", StringComparison.Ordinal)).Sum(d => (long)d.Text.Length);
        var consoleChars = documents.Where(d => d.Source.StartsWith("console", StringComparison.Ordinal)).Sum(d => (long)d.Text.Length);
        var reportChars = documents.Where(d => d.Source.StartsWith("report", StringComparison.Ordinal)).Sum(d => (long)d.Text.Length);
        output.WriteLine($"scanned {dashboardChars} chars of dashboard telemetry, {consoleChars} of console logs, {reportChars} of reports, " +
            $"{documents.Single(d => d.Source == "apphost log").Text.Length} of the AppHost's log");
        Assert.True(Covers(documents, runId), $"the captured telemetry never mentions run {runId}: the scan would not cover what the run logged");
        Assert.True(dashboardChars > 50_000, $"only {dashboardChars} chars of dashboard telemetry were captured");
        Assert.True(consoleChars > 2_000, $"only {consoleChars} chars of console logs were captured");
        Assert.True(reportChars > 1_000, $"only {reportChars} chars of report files were captured");
        var appHostChars = documents.Single(d => d.Source == "apphost log").Text.Length;
        Assert.True(appHostChars > 2_000, $"only {appHostChars} chars of the AppHost's own log were captured");
        Assert.All(LoadAppHostFixture.Services, s => Assert.True(
            documents.Any(d => d.Source == $"console log of {s}" && d.Text.Length > 0), $"no console output of {s} was captured"));

        // The control: the matcher finds a secret where one is.
        Assert.NotEmpty(TelemetryCapture.Find([new TelemetryCapture.Document("control", $"Authorization: Bearer {fixture.Teacher.Key}")], fixture.Teacher.Key, "key"));
        var leaks = TelemetryCapture.Find(documents, fixture.Teacher.Key, "teacher key")
            .Concat(TelemetryCapture.Find(documents, fixture.RedisPassword(), "redis password")).ToList();
        Assert.True(leaks.Count == 0, "secrets leaked:\n" + string.Join("\n", leaks));
    }

    /// <summary>True when the dashboard's logs and traces both mention the run (so they hold what it did).</summary>
    private static bool Covers(IReadOnlyList<TelemetryCapture.Document> documents, string runId) =>
        documents.Any(d => d.Source.Contains("/api/telemetry/logs", StringComparison.Ordinal) && d.Text.Contains(runId, StringComparison.Ordinal))
        && documents.Any(d => d.Source.Contains("/api/telemetry/traces", StringComparison.Ordinal) && d.Text.Contains(runId, StringComparison.Ordinal));
}
