using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>What every part of one consumer needs: where it reads, as whom, with which settings.</summary>
internal sealed record ConsumerContext(
    IConnectionMultiplexer Redis,
    string Stream,
    string Group,
    StreamConsumerOptions Options,
    MessagingMetrics Metrics,
    ILogger Logger)
{
    public string Consumer => Options.ConsumerName;

    public IDatabase Db => Redis.GetDatabase();
}
