using System.ComponentModel.DataAnnotations;

namespace ActiveSynth.Teachers.Resilience;

/// <summary>Retries of teacher calls (configuration section <c>Teacher:Retry</c> in the service).</summary>
public sealed class RetryOptions
{
    /// <summary>Attempts per call, the first included.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Backoff before the first retry; doubles each retry (exponential), with Polly's decorrelated jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest backoff without a Retry-After header.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest Retry-After honoured; a server asking for longer gets this (the call is not worth blocking a worker for minutes).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time limit of one attempt; a hung endpoint counts as a transient failure.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:30:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Random spread added on top of a Retry-After wait, up to half this fraction of it, so that many workers told to wait
    /// the same time do not retry in lockstep (the exponential backoff has Polly's own jitter).
    /// </summary>
    [Range(0.0, 1.0)]
    public double JitterFraction { get; set; } = 0.2;
}
