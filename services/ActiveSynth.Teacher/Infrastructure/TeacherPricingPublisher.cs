using ActiveSynth.Contracts;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Workers.Teacher;
using ActiveSynth.Teachers.Usage;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using StackExchange.Redis;

namespace ActiveSynth.Teacher.Infrastructure;

/// <summary>
/// Publishes what this replica charges for (<see cref="SharedKeys.TeacherPricing"/>), at start and then every minute, so that
/// StartRun can refuse a cost limit that could never bind and sees the prices again after a Redis restart. Replicas of one
/// deployment share their configuration; the last one to publish wins.
/// </summary>
public sealed class TeacherPricingPublisher(IConnectionMultiplexer redis, TeacherClients clients, PriceTable prices, ServiceIdentity identity,
    ILogger<TeacherPricingPublisher> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var pricing = clients.Pricing(prices, identity.Instance);
                pricing.PublishedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
                await redis.GetDatabase().StringSetAsync(SharedKeys.TeacherPricing, pricing.ToByteArray()).ConfigureAwait(false);
            }
            catch (RedisException ex)
            {
                logger.PricingNotPublished(ex); // Redis is down: the next attempt publishes; StartRun meanwhile sees the last prices
            }
            await Task.Delay(Every, stoppingToken).ConfigureAwait(false);
        }
    }
}
