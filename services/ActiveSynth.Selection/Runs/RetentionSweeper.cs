using ActiveSynth.Core.Loop;
using ActiveSynth.Selection.Options;
using ActiveSynth.Selection.Telemetry;
using Grpc.Core;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ActiveSynth.Selection.Runs;

/// <summary>
/// Deletes finished runs (Completed, Failed, Cancelled) whose <see cref="Engine.Runs.RunMeta.FinishedAt"/> is older than
/// <see cref="RetentionOptions.FinishedRuns"/>, every <see cref="RetentionOptions.SweepInterval"/>, through
/// <see cref="RunService.DeleteAsync"/> (Redis keys and artifacts). Does nothing when retention is off. A sweep that fails (Redis
/// away) is logged and tried again at the next interval.
/// </summary>
public sealed class RetentionSweeper(RedisRunStore store, RunService runs, RunSupervisor supervisor, IOptions<RetentionOptions> options,
    TimeProvider time, ILogger<RetentionSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            logger.RetentionOff();
            return;
        }
        using var timer = new PeriodicTimer(o.SweepInterval, time);
        do
        {
            try
            {
                await SweepAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or IOException or UnauthorizedAccessException or RpcException)
            {
                logger.RetentionFailed(ex, ex.GetType().Name, o.SweepInterval);
            }
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One sweep: deletes every finished run past the retention; returns how many it deleted.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var retention = options.Value.FinishedRuns;
        var cutoff = time.GetUtcNow() - retention;
        int deleted = 0, kept = 0;
        foreach (var id in await store.ListIdsAsync().ConfigureAwait(false))
        {
            ct.ThrowIfCancellationRequested();
            // The metadata first: a run's state holds its whole seed pool, and most runs are kept at most sweeps.
            if (await store.GetMetaAsync(id).ConfigureAwait(false) is not { FinishedAt: { } finished } || finished > cutoff)
            {
                kept++;
                continue;
            }
            var run = await store.GetAsync(id).ConfigureAwait(false);
            if (run is not { State.Status: RunStatus.Completed or RunStatus.Failed or RunStatus.Cancelled, Meta.FinishedAt: { } finishedAt }
                || finishedAt > cutoff || supervisor.IsActive(id))
            {
                kept++;
                continue;
            }
            try
            {
                var removed = await runs.DeleteAsync(id, force: false, "retention", ct).ConfigureAwait(false);
                logger.RetentionDeleted(id, run.State.Status.ToString(), finishedAt, retention, removed.Keys, removed.Files);
                deleted++;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.FailedPrecondition or StatusCode.NotFound)
            {
                kept++; // resumed or deleted meanwhile
            }
        }
        logger.RetentionSwept(deleted, retention, kept);
        return deleted;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
