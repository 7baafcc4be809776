using ActiveSynth.Hosting;
using System.Collections.Concurrent;
using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Selection.Probes;
using ActiveSynth.Selection.Tests.Support;
using ActiveSynth.Testing;
using Google.Protobuf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActiveSynth.Selection.Tests;

/// <summary>
/// A default-run spec that StartRun would refuse (here: a GSM8K seed file with several bad lines) is refused at once with one
/// error log that names the spec file, the field and every bad line (the line the AppHost echoes on its console), no run is
/// created, and the Selection service keeps running.
/// </summary>
public sealed class DefaultRunRefusalTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("selection-default-run-").FullName;
    private RedisServerProcess? _redis;

    private string Artifacts => Path.Combine(_dir, "artifacts");

    public async Task InitializeAsync() => _redis = await RedisServerProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_default_run_spec_with_a_bad_seed_file_is_refused_naming_every_bad_line_and_the_service_keeps_running()
    {
        var seeds = Directory.CreateDirectory(Path.Combine(Artifacts, "seeds")).FullName;
        await File.WriteAllTextAsync(Path.Combine(seeds, "bad.jsonl"),
            "{\"question\": \"q1\", \"answer\": \"#### 1\"}\n{\"question\": \"q2\"}\n{\"question\": \"q3\", \"answer\": \"#### three\"}\n");
        await File.WriteAllTextAsync(Path.Combine(seeds, "test.jsonl"), "{\"question\": \"t1\", \"answer\": \"#### 4\"}\n");
        var spec = EmbeddedRecipe.Spec("loss-high", 1, samplesPerRound: 2, maxRounds: 1);
        spec.Task = new TaskSpec { SeedFile = "seeds/bad.jsonl", TestFile = "seeds/test.jsonl", ImportedFamily = "gsm8k" };
        var specFile = Path.Combine(_dir, "default-run.json");
        await File.WriteAllTextAsync(specFile, JsonFormatter.Default.Format(spec));
        var logs = new CapturedLogs();

        using var host = await StartAsync(specFile, logs);

        var refused = await logs.WaitForAsync(7024, TimeSpan.FromSeconds(30));
        Assert.Equal(LogLevel.Error, refused.Level);
        Assert.Equal($"Default run refused (spec {specFile}): spec.task.seed_file: 'seeds/bad.jsonl': 2 problems: line 2: missing field \"answer\"; "
            + "line 3: field \"answer\": final answer 'three' is not an answer of family 'gsm8k' (import text answers with family 'text')", refused.Message);
        Assert.False(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
        Assert.False(Directory.Exists(Path.Combine(Artifacts, "runs")));
        Assert.DoesNotContain(logs.Entries, e => e.EventId == 7021); // never started
        await SelectionHost.StopAsync(host);
    }

    private async Task<IHost> StartAsync(string specFile, CapturedLogs logs)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        var settings = SelectionHost.Settings(_redis!.ConnectionString, Artifacts);
        settings["Selection:DefaultRun:SpecFile"] = specFile;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddProvider(logs);
        builder.AddActiveSynthService(ConsumerGroups.Selection);
        builder.AddProbes();
        builder.AddRuns();
        builder.AddDefaultRun();
        var host = builder.Build();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StartAsync(cts.Token);
        return host;
    }

    /// <summary>Every log entry of the host, by event id.</summary>
    private sealed class CapturedLogs : ILoggerProvider
    {
        public ConcurrentQueue<(int EventId, LogLevel Level, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public async Task<(int EventId, LogLevel Level, string Message)> WaitForAsync(int eventId, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline)
            {
                if (Entries.FirstOrDefault(e => e.EventId == eventId) is { Message: not null } entry)
                {
                    return entry;
                }
                await Task.Delay(50);
            }
            throw new TimeoutException($"no log entry {eventId} within {timeout}");
        }

        public void Dispose()
        {
        }

        private sealed class Logger(CapturedLogs owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue((eventId.Id, logLevel, formatter(state, exception)));
        }
    }
}
