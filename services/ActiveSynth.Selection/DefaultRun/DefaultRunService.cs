using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Selection.Options;
using ActiveSynth.Selection.Probes;
using ActiveSynth.Selection.Runs;
using ActiveSynth.Selection.Telemetry;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Selection.DefaultRun;

/// <summary>
/// Starts the default run once per deployment: when every worker kind answers a probe through the streams (so the work will be
/// consumed), a Redis SET NX marker keyed by the spec's hash is taken and the run is started with id
/// <c>default-&lt;hash&gt;</c>. A restart finds the marker (and the run, which the supervisor resumes if unfinished) and does
/// nothing. <c>Selection:DefaultRun:Enabled=false</c> turns it off; <c>Selection:DefaultRun:SpecFile</c> replaces the spec.
/// A spec that StartRun would refuse (a bad field, or a seed or test file that cannot be read: every bad line is named) is
/// refused before waiting for the workers, with one error log naming the spec file, each field and the reason, which the AppHost
/// echoes on its console; the service keeps running.
/// </summary>
public sealed class DefaultRunService(
    IOptions<DefaultRunOptions> options,
    IOptions<SelectionOptions> selectionOptions,
    ProbeCoordinator probes,
    RunService runs,
    RedisRunStore store,
    ArtifactStore artifacts,
    ILogger<DefaultRunService> logger) : BackgroundService
{
    private static readonly string[] WorkerKinds = [ConsumerGroups.Teacher, ConsumerGroups.Scoring, ConsumerGroups.Training];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            logger.DefaultRunDisabled();
            return;
        }
        var spec = LoadSpec(o.SpecFile);
        var source = string.IsNullOrWhiteSpace(o.SpecFile) ? "built-in" : o.SpecFile;
        if (Refusal(spec) is { } problems)
        {
            logger.DefaultRunRefused(source, problems);
            return;
        }
        var hash = DefaultRunSpec.Hash(spec);
        var runId = $"default-{hash}";
        await WaitForWorkersAsync(o, stoppingToken).ConfigureAwait(false);
        var first = await store.TryMarkDefaultRunAsync(hash, runId).ConfigureAwait(false);
        if (!first && await store.GetAsync(runId).ConfigureAwait(false) is not null)
        {
            logger.DefaultRunAlreadyStarted(runId);
            return;
        }
        try
        {
            await runs.StartAsync(spec, runId, stoppingToken).ConfigureAwait(false);
        }
        catch (SpecValidationException ex)
        {
            // A task file changed while the workers were awaited.
            logger.DefaultRunRefused(source, string.Join("; ", ex.Errors));
            return;
        }
        catch (LimitExceededException ex)
        {
            // Selection:MaxConcurrentRuns runs already hold every place.
            logger.DefaultRunRefused(source, ex.Message);
            return;
        }
        logger.DefaultRunStarted(runId, source, hash);
    }

    /// <summary>What StartRun would refuse in <paramref name="spec"/>: its fields, then its seed and test files; null when it would start.</summary>
    private string? Refusal(RunSpec spec)
    {
        var errors = RunSpecValidator.Validate(spec, selectionOptions.Value);
        if (errors.Count > 0)
        {
            return string.Join("; ", errors);
        }
        try
        {
            RunPlan.Create(spec, selectionOptions.Value).BuildTaskSets(artifacts);
            return null;
        }
        catch (SpecValidationException ex)
        {
            return string.Join("; ", ex.Errors);
        }
    }

    /// <summary>The spec file (protobuf JSON of RunSpec), or the built-in default.</summary>
    public static RunSpec LoadSpec(string? specFile) => string.IsNullOrWhiteSpace(specFile)
        ? DefaultRunSpec.Create()
        : JsonParser.Default.Parse<RunSpec>(File.ReadAllText(specFile));

    private async Task WaitForWorkersAsync(DefaultRunOptions o, CancellationToken ct)
    {
        while (true)
        {
            var report = await probes.ProbeAsync(WorkerKinds, o.ProbeTimeout, ct).ConfigureAwait(false);
            if (report.Missing.Count == 0)
            {
                return;
            }
            logger.DefaultRunWaiting(string.Join(", ", report.Missing));
            await Task.Delay(o.ProbeRetryDelay, ct).ConfigureAwait(false);
        }
    }
}
