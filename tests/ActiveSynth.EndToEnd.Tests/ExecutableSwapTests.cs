using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Testing;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace ActiveSynth.EndToEnd.Tests;

/// <summary>
/// The README's first "Swapping a service" example as written: the Scoring service published to a folder, then the AppHost with
/// <c>--Services:Scoring:Source=executable --Services:Scoring:Command=dotnet --Services:Scoring:Args:0=&lt;folder&gt;/ActiveSynth.Scoring.dll
/// --Services:Scoring:Replicas=2</c>. Both replicas run, each on its own gRPC endpoint (before, both bound Kestrel's default
/// address and one died at start), both serve a run's score chunks, no replica exit is reported, and one that then dies is.
/// </summary>
/// <remarks>
/// The publish reuses this build (<c>--no-build</c>, this test's configuration) instead of a Release build from scratch, which
/// would take minutes; what it produces is the same kind of folder the README's <c>dotnet publish</c> writes.
/// </remarks>
[Collection(AppHostCollection.Name)] // its own deployment, but not at the same time as the shared one: 2 cores
public sealed class ExecutableSwapTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_readme_two_replica_executable_swap_runs_both_replicas_and_both_score()
    {
        await using var deployment = new AppHostDeployment("swap");
        var published = Path.Combine(deployment.DataDir, "scoring-v2");
        await PublishScoringAsync(published);
        var logs = new LogCapture();
        await deployment.StartAsync<Projects.ActiveSynth_AppHost>(
            [
                // The README's command line:
                "--Services:Scoring:Source=executable",
                "--Services:Scoring:Command=dotnet", $"--Services:Scoring:Args:0={published}/ActiveSynth.Scoring.dll", "--Services:Scoring:Replicas=2",
                // A small run whose round is scored in several chunks, so both replicas (each reads one request at a time) get some.
                "--Selection:ScoreChunkSize=8",
                "--Training:BaseSteps=30", // what the student learns does not matter here
            ],
            configure: builder => builder.Services.AddLogging(l => l.AddProvider(logs)),
            waitFor: ["selection", "teacher", "training", "scoring", "scoring-2"]);
        var app = deployment.App;
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));

        // Both replicas run, each its own process on its own endpoint, and each answers gRPC (HTTP/2) there.
        var replicas = new List<(string Name, string ResourceId, int Pid)>();
        foreach (var name in new[] { "scoring", "scoring-2" })
        {
            var running = await app.ResourceNotifications.WaitForResourceAsync(name, e => e.Snapshot.State?.Text == KnownResourceStates.Running, cts.Token);
            var pid = Convert.ToInt32(running.Snapshot.Properties.Single(p => p.Name == "executable.pid").Value, System.Globalization.CultureInfo.InvariantCulture);
            replicas.Add((name, running.ResourceId, pid));
            using var channel = GrpcChannel.ForAddress(app.GetEndpoint(name, "grpc"));
            var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cts.Token);
            output.WriteLine($"{name}: pid {pid}, endpoint {app.GetEndpoint(name, "grpc")}, health {health.Status}");
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        }
        Assert.NotEqual(app.GetEndpoint("scoring", "grpc"), app.GetEndpoint("scoring-2", "grpc"));
        Assert.NotEqual(replicas[0].Pid, replicas[1].Pid);

        var runs = new Runs.RunsClient(deployment.Channel("selection"));
        var runId = $"swap-{Guid.NewGuid():N}"[..20];
        await runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = RunTests.SmallSpec(maxRounds: 1, maxSamples: 16) },
            deadline: DateTime.UtcNow.AddSeconds(60));
        var run = await runs.WaitFinishedAsync(runId, cts.Token);
        output.WriteLine($"run {runId}: {run.State} {run.StopReason} {run.FailureReason}, usage {run.Usage}");
        Assert.Equal(RunState.Completed, run.State);

        // Each replica scored part of the round: its own log says so ("Scored <n> items of run <id> ...").
        var resourceLogs = app.Services.GetRequiredService<ResourceLoggerService>();
        foreach (var (name, resourceId, _) in replicas)
        {
            var scored = await LinesAsync(resourceLogs, resourceId, $"items of run {runId}", cts.Token);
            output.WriteLine($"{name}: {scored.Count} score chunks");
            Assert.True(scored.Count > 0, $"{name} scored nothing of run {runId}");
        }
        Assert.Empty(logs.Of(Category));

        // A replica that dies is said on the AppHost's console (its log), naming it and its exit code.
        using (var process = Process.GetProcessById(replicas[1].Pid))
        {
            process.Kill();
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (logs.Of(Category).Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, cts.Token);
        }
        var report = Assert.Single(logs.Of(Category));
        output.WriteLine(report);
        Assert.StartsWith($"Error Replica scoring-2 (pid {replicas[1].Pid}) exited with exit code ", report, StringComparison.Ordinal);
    }

    private const string Category = "ActiveSynth.AppHost.Replicas";

    /// <summary>`dotnet publish services/ActiveSynth.Scoring -o <paramref name="folder"/>` from this build (its configuration, no build).</summary>
    private async Task PublishScoringAsync(string folder)
    {
        var configuration = typeof(ExecutableSwapTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "publish", RepositoryFiles.Path("services", "ActiveSynth.Scoring"), "-c", configuration, "--no-build", "-o", folder },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var clock = Stopwatch.StartNew();
        using var publish = Process.Start(start)!;
        var stdout = publish.StandardOutput.ReadToEndAsync();
        var stderr = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        Assert.True(publish.ExitCode == 0, $"dotnet publish failed ({publish.ExitCode}):\n{await stdout}\n{await stderr}");
        Assert.True(File.Exists(Path.Combine(folder, "ActiveSynth.Scoring.dll")));
        output.WriteLine($"published Scoring ({configuration}) to {folder} in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>The lines of a resource's log so far that contain <paramref name="text"/>.</summary>
    private static async Task<List<string>> LinesAsync(ResourceLoggerService logs, string resourceId, string text, CancellationToken ct)
    {
        var lines = new List<string>();
        await foreach (var batch in logs.GetAllAsync(resourceId).WithCancellation(ct))
        {
            lines.AddRange(batch.Select(l => l.Content).Where(l => l.Contains(text, StringComparison.Ordinal)));
        }
        return lines;
    }

    /// <summary>The AppHost's own log entries, as "&lt;level&gt; &lt;message&gt;" by category.</summary>
    private sealed class LogCapture : ILoggerProvider
    {
        private readonly ConcurrentQueue<(string Category, string Line)> _entries = new();

        public IReadOnlyList<string> Of(string category) => [.. _entries.Where(e => e.Category == category).Select(e => e.Line)];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(LogCapture owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    owner._entries.Enqueue((category, $"{logLevel} {formatter(state, exception)}"));
                }
            }
        }
    }
}
