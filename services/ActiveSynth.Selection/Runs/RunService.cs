using System.Security.Cryptography;
using System.Text.RegularExpressions;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Engine.Runs;
using ActiveSynth.Selection.Options;
using ActiveSynth.Selection.Telemetry;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Selection.Runs;

/// <summary>What the Runs API does, callable in-process too (the default run, the retention sweeper): start, read, list, cancel, resume, delete.</summary>
public sealed partial class RunService(RedisRunStore store, RunSupervisor supervisor, RunHost host, ArtifactStore artifacts,
    IOptions<SelectionOptions> options, ILogger<RunService> logger)
{
    /// <summary>Validates the spec, builds the seed pool and test set and starts the run; an existing id returns that run.</summary>
    public async Task<StoredRun> StartAsync(RunSpec? spec, string? runId, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(runId) && !RunIdPattern().IsMatch(runId))
        {
            throw new SpecValidationException([new SpecError("run_id", "must be 1 to 63 characters of [a-z0-9-], starting with a letter or digit")]);
        }
        if (!string.IsNullOrEmpty(runId) && await store.GetAsync(runId).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }
        var id = string.IsNullOrEmpty(runId) ? NewRunId() : runId;
        using var place = supervisor.Admit(options.Value.MaxConcurrentRuns); // before anything is stored
        // Throws naming every bad field (a cost limit that cannot bind under the published prices too).
        if (await host.CreateAsync(id, spec, await store.TeacherPricingAsync().ConfigureAwait(false), ct).ConfigureAwait(false) is null)
        {
            return await store.GetAsync(id).ConfigureAwait(false) ?? throw new RpcException(new Status(StatusCode.Aborted, $"run {id} was being created concurrently"));
        }
        supervisor.Launch(id);
        return await GetAsync(id).ConfigureAwait(false);
    }

    public async Task<StoredRun> GetAsync(string runId) =>
        (string.IsNullOrEmpty(runId) ? null : await store.GetAsync(runId).ConfigureAwait(false))
        ?? throw new RpcException(new Status(StatusCode.NotFound, $"run_id: no run '{runId}'"));

    /// <summary>Stops a running run within seconds; its state and a report of what it did are saved.</summary>
    public async Task<StoredRun> CancelAsync(string runId, string reason)
    {
        var run = await GetAsync(runId).ConfigureAwait(false);
        if (run.IsFinished)
        {
            return run;
        }
        if (!await supervisor.CancelAsync(runId, reason, options.Value.CancelWait).ConfigureAwait(false))
        {
            // Pending or running but not executing here (it is about to be resumed): mark it cancelled directly.
            run.State.Status = RunStatus.Cancelled;
            run.State.StopReason = "cancelled";
            run.Meta.CancelReason = string.IsNullOrWhiteSpace(reason) ? "requested" : reason;
            await host.FinishAsync(run, CancellationToken.None).ConfigureAwait(false);
        }
        return await GetAsync(runId).ConfigureAwait(false);
    }

    /// <summary>Continues a cancelled or failed run (or a completed one with a new, larger budget) from its last durable step.</summary>
    public async Task<StoredRun> ResumeAsync(string runId, Budget? budget)
    {
        var run = await GetAsync(runId).ConfigureAwait(false);
        if (supervisor.IsActive(runId))
        {
            return run;
        }
        using var place = supervisor.Admit(options.Value.MaxConcurrentRuns);
        if (budget is not null)
        {
            var spec = run.Spec.Clone();
            spec.Budget = budget;
            List<SpecError> errors = [.. RunSpecValidator.Validate(spec, options.Value)];
            if (CostLimitCheck.Check(spec, await store.TeacherPricingAsync().ConfigureAwait(false)) is { } unbound)
            {
                errors.Add(unbound);
            }
            if (errors.Count > 0)
            {
                throw new SpecValidationException([.. errors.Select(e => e with { Field = e.Field.Replace("spec.budget", "budget", StringComparison.Ordinal) })]);
            }
            await store.SaveSpecAsync(runId, spec).ConfigureAwait(false);
        }
        else if (run.State.Status == RunStatus.Completed)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "budget: the run is completed; pass a larger budget to continue it"));
        }
        run.Reopen();
        // Its transient keys went when it finished; a reply that arrived after that may have been stored and deleted after its worker
        // marked the request done. Without the markers, what the run asks again for is answered again.
        await store.DeleteMarkersAsync(runId).ConfigureAwait(false);
        await store.SaveAsync(run.State, run.Meta).ConfigureAwait(false);
        supervisor.Launch(runId);
        return await GetAsync(runId).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes a run: every Redis key of it (<see cref="RedisRunStore.DeleteAllAsync"/>), its entry in the index and its artifact
    /// directory <c>runs/&lt;id&gt;/</c>. A pending or running run is refused (FailedPrecondition) unless <paramref name="force"/>,
    /// which cancels it first. A bad id is InvalidArgument naming <c>run_id</c>; an unknown one NotFound.
    /// </summary>
    public async Task<RunDeletion> DeleteAsync(string runId, bool force, string reason, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(runId) || !RunIdPattern().IsMatch(runId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "run_id: must be 1 to 63 characters of [a-z0-9-], starting with a letter or digit"));
        }
        if (!await store.ExistsAsync(runId).ConfigureAwait(false))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"run_id: no run '{runId}'"));
        }
        var run = await store.GetAsync(runId).ConfigureAwait(false);
        var running = supervisor.IsActive(runId) || run?.State.Status is RunStatus.Pending or RunStatus.Running;
        if (running)
        {
            if (!force)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition,
                    $"run_id: run '{runId}' is {run?.State.Status.ToString().ToLowerInvariant() ?? "running"}; cancel it first, or delete with force"));
            }
            await CancelAsync(runId, "deleted").ConfigureAwait(false);
            if (!await supervisor.WaitStoppedAsync(runId, options.Value.CancelWait).ConfigureAwait(false))
            {
                throw new RpcException(new Status(StatusCode.Unavailable,
                    $"run_id: run '{runId}' was cancelled but did not stop within {options.Value.CancelWait.TotalSeconds:0} s; nothing was deleted, try again"));
            }
        }
        var files = artifacts.DeleteDirectory($"runs/{runId}");
        var keys = await store.DeleteAllAsync(runId, ct).ConfigureAwait(false);
        logger.RunDeleted(runId, reason, keys, files);
        return new RunDeletion(keys, files);
    }

    private static string NewRunId() =>
        $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex RunIdPattern();
}
