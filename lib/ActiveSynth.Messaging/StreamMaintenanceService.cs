using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>
/// Periodically reads XINFO GROUPS of every stream this host consumes, to refresh the pending/lag gauges and
/// to trim what every group has acked. Trimming from every replica is harmless: it only removes entries that
/// all groups are done with, whoever computes it.
/// </summary>
internal sealed class StreamMaintenanceService(
    IConnectionMultiplexer redis,
    ConsumerRegistry registry,
    ConsumerGroupGauges gauges,
    IOptions<StreamMaintenanceOptions> options,
    ILogger<StreamMaintenanceService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                foreach (var stream in registry.Streams)
                {
                    await MaintainAsync(stream).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task MaintainAsync(string stream)
    {
        try
        {
            var db = redis.GetDatabase();
            var groups = await StreamTrimmer.GroupsAsync(db, stream).ConfigureAwait(false);
            gauges.Update(stream, groups);
            if (options.Value.TrimEnabled)
            {
                var result = await StreamTrimmer.TrimAsync(db, stream, groups, approximate: true).ConfigureAwait(false);
                if (result.Removed > 0)
                {
                    logger.Trimmed(stream, result.Removed, result.MinId!);
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Next tick tries again; consumers have their own reconnect handling.
            logger.MaintenanceFailed(ex, stream);
        }
    }
}
