using Microsoft.Extensions.Logging;

namespace ActiveSynth.Workers.Teacher;

/// <summary>Source-generated logs of the Teacher service. None of them carries a key or a prompt.</summary>
public static partial class TeacherLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Teacher ready: default {Kind}, OpenAI-compatible endpoint {Endpoint}, response cache {CacheEnabled}")]
    public static partial void Ready(this ILogger logger, string kind, string endpoint, bool cacheEnabled);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug, Message = "Generated {RequestId}: kept {Kept} of {Requests}, {Tokens} tokens, {Cached} answered from the cache")]
    public static partial void Generated(this ILogger logger, string requestId, int kept, int requests, long tokens, int cached);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Teacher call to {Model} failed ({Kind}), retry {Attempt} in {DelayMs} ms")]
    public static partial void Retrying(this ILogger logger, string model, string kind, int attempt, double delayMs);

    [LoggerMessage(EventId = 5020, Level = LogLevel.Warning, Message = "Teacher prices not published to Redis; StartRun sees the last published ones until the next attempt")]
    public static partial void PricingNotPublished(this ILogger logger, Exception exception);
}
