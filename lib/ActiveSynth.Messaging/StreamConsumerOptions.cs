using System.ComponentModel.DataAnnotations;

namespace ActiveSynth.Messaging;

/// <summary>
/// Settings of one consumer, bound from <c>Messaging:Consumers:&lt;group&gt;</c> and then the
/// <c>configure</c> delegate of <c>AddStreamConsumer</c>; validated when the host starts.
/// </summary>
public sealed class StreamConsumerOptions
{
    /// <summary>Consumer name within the group; default <c>&lt;machine&gt;-&lt;pid&gt;-&lt;guid8&gt;</c> (unique per process).
    /// Set a stable name (e.g. a pod name) to have a restarted replica drain its own pending entries first.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ConsumerName { get; set; } = "";

    /// <summary>Entries read (and acked) per round trip. Long handlers want a small batch: a batch is acked together.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 32;

    /// <summary>Handlers running at once within a batch.</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 1;

    /// <summary>
    /// Longest wait after an empty read (StackExchange.Redis multiplexes one connection, so XREADGROUP BLOCK is not used); a
    /// publisher's signal on the stream's wake channel ends the wait at once, so this only bounds how late an entry whose
    /// signal was lost is read, and how often an idle consumer asks.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A pending entry idle this long is taken over with XAUTOCLAIM (its consumer died, or its handler
    /// failed and it is due for a retry). In-flight entries are renewed every third of it, so a slow handler is not stolen.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "1.00:00:00")]
    public TimeSpan ClaimIdleTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// On shutdown (SIGTERM), how long the handlers of the batch in progress may still run to finish and be acked. What is
    /// unfinished then is cancelled and handed back: its idle time is set past <see cref="ClaimIdleTime"/>, so another replica
    /// takes it at its next claim scan instead of after the claim idle time. No new entries are read once the stop begins.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Deliveries after which a failing entry goes to the dead-letter stream.</summary>
    [Range(1, 1000)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>How long "handled" markers for a message id are kept (duplicates older than this apply again).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan IdempotencyTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Approximate cap on the dead-letter stream's length (nobody consumes it as a group, so it is capped by length).</summary>
    [Range(1, int.MaxValue)]
    public int DeadLetterMaxLength { get; set; } = 10_000;

    /// <summary>Longest wait between retries while Redis is unreachable (backoff doubles from 100 ms up to this).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan MaxReconnectBackoff { get; set; } = TimeSpan.FromSeconds(5);
}
