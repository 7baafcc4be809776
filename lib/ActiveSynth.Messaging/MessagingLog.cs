using Microsoft.Extensions.Logging;

namespace ActiveSynth.Messaging;

/// <summary>Source-generated log messages of the library (no interpolation, no payloads, no secrets).</summary>
internal static partial class MessagingLog
{
    [LoggerMessage(1, LogLevel.Information, "Consumer {Consumer} of group {Group} on {Stream} started (batch {BatchSize}, concurrency {Concurrency})")]
    public static partial void ConsumerStarted(this ILogger logger, string stream, string group, string consumer, int batchSize, int concurrency);

    [LoggerMessage(2, LogLevel.Information, "Consumer {Consumer} of group {Group} on {Stream} stopped")]
    public static partial void ConsumerStopped(this ILogger logger, string stream, string group, string consumer);

    [LoggerMessage(3, LogLevel.Information, "Created consumer group {Group} on {Stream} from the start of the stream")]
    public static partial void GroupCreated(this ILogger logger, string stream, string group);

    [LoggerMessage(4, LogLevel.Warning, "Redis unavailable for group {Group} on {Stream}; retrying in {DelayMs} ms")]
    public static partial void RedisUnavailable(this ILogger logger, Exception exception, string stream, string group, long delayMs);

    [LoggerMessage(5, LogLevel.Warning, "Handler failed for entry {EntryId} (id {MessageId}) of {Stream}/{Group}, attempt {Attempt} of {MaxAttempts}; it stays pending and is retried")]
    public static partial void HandlerFailed(this ILogger logger, Exception exception, string stream, string group, string entryId, string messageId, int attempt, int maxAttempts);

    [LoggerMessage(6, LogLevel.Error, "Dead-lettered entry {EntryId} of {Stream}/{Group} to {DeadLetterStream}: {Reason}")]
    public static partial void DeadLettered(this ILogger logger, string stream, string group, string entryId, string deadLetterStream, string reason);

    [LoggerMessage(7, LogLevel.Debug, "Skipped entry {EntryId} of {Stream}/{Group}: id {MessageId} was already handled")]
    public static partial void DuplicateSkipped(this ILogger logger, string stream, string group, string entryId, string messageId);

    [LoggerMessage(8, LogLevel.Warning, "Could not ack {Count} entries of {Stream}/{Group}; they stay pending and will be redelivered (their done markers make that harmless)")]
    public static partial void AckFailed(this ILogger logger, Exception exception, string stream, string group, int count);

    [LoggerMessage(9, LogLevel.Warning, "Could not renew the lease of in-flight entries of {Stream}/{Group}")]
    public static partial void LeaseRenewFailed(this ILogger logger, Exception exception, string stream, string group);

    [LoggerMessage(10, LogLevel.Information, "Claimed {Count} idle entries of {Stream}/{Group}")]
    public static partial void Claimed(this ILogger logger, string stream, string group, int count);

    [LoggerMessage(11, LogLevel.Information, "Handler for entry {EntryId} of {Stream}/{Group} was cancelled by shutdown; it stays pending")]
    public static partial void LeftPendingOnShutdown(this ILogger logger, string stream, string group, string entryId);

    [LoggerMessage(12, LogLevel.Information, "Trimmed {Count} entries of {Stream} below {MinId} (acked by every group)")]
    public static partial void Trimmed(this ILogger logger, string stream, long count, string minId);

    [LoggerMessage(13, LogLevel.Warning, "Stream maintenance of {Stream} failed")]
    public static partial void MaintenanceFailed(this ILogger logger, Exception exception, string stream);

    [LoggerMessage(14, LogLevel.Warning, "Acked {Count} entries of {Stream}/{Group} that were deleted from the stream before they were handled")]
    public static partial void DeletedEntriesAcked(this ILogger logger, string stream, string group, int count);

    [LoggerMessage(15, LogLevel.Error, "Could not dead-letter {Count} entries of {Stream}/{Group}; they stay pending and are retried")]
    public static partial void DeadLetterFailed(this ILogger logger, Exception exception, string stream, string group, int count);

    [LoggerMessage(16, LogLevel.Warning, "Consumer group {Group} on {Stream} is missing (server restarted without persistence?); recreating it")]
    public static partial void GroupMissing(this ILogger logger, string stream, string group);

    [LoggerMessage(17, LogLevel.Information, "Request {RequestId} on {Stream} was already answered; not handling it again")]
    public static partial void AlreadyReplied(this ILogger logger, string stream, string requestId);

    [LoggerMessage(18, LogLevel.Information, "Request {RequestId} is held by another replica ({Holder}); waiting for it instead of handling the same request at once")]
    public static partial void LeaseBusy(this ILogger logger, string requestId, string holder);

    [LoggerMessage(19, LogLevel.Warning, "Lease {Key} was lost while handling its request (it ran out); another replica may handle the same request")]
    public static partial void LeaseLost(this ILogger logger, string key);

    [LoggerMessage(20, LogLevel.Warning, "Renewing lease {Key} failed; trying again")]
    public static partial void LeaseRenewFailed(this ILogger logger, Exception error, string key);

    [LoggerMessage(21, LogLevel.Information, "Stopping: handed back {Count} unfinished entries of {Stream} (group {Group}, consumer {Consumer}) for another replica to claim now")]
    public static partial void HandedBack(this ILogger logger, string stream, string group, string consumer, int count);
}
