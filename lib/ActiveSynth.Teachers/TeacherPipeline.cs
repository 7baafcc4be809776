using ActiveSynth.Teachers.Caching;
using ActiveSynth.Teachers.Resilience;
using Microsoft.Extensions.AI;

namespace ActiveSynth.Teachers;

/// <summary>
/// Wraps a teacher <see cref="IChatClient"/> in the layers every teacher gets, outermost first: start marks of calls in
/// progress (a redo after a process died mid-call is billed for both attempts), the response cache (Microsoft.Extensions.AI's
/// distributed caching client: a hit bills nothing, carries the usage it was made with and skips everything below), retries
/// (Polly: backoff, jitter, Retry-After, per-attempt timeout), client-side rate limits (System.Threading.RateLimiting; each
/// attempt counts), then the model itself.
/// </summary>
public static class TeacherPipeline
{
    /// <param name="model">The teacher itself (OpenAI-compatible or embedded).</param>
    /// <param name="modelId">Model id for cache keys when a request names none.</param>
    /// <param name="cache">Null: no cache.</param>
    /// <param name="retry">Null: no retries.</param>
    /// <param name="limiter">Null: no client-side limits.</param>
    /// <param name="rateLimits">Options of <paramref name="limiter"/>.</param>
    /// <param name="onRetry">Called before each retry (failure kind, failed attempt, delay).</param>
    /// <param name="timeProvider">Clock for backoff and rate limits.</param>
    public static IChatClient Build(IChatClient model, string modelId, TeacherResponseCache? cache, RetryOptions? retry,
        ClientRateLimiter? limiter, RateLimitOptions? rateLimits, Action<string, int, TimeSpan>? onRetry = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var client = model;
        if (limiter is not null)
        {
            client = new RateLimitingChatClient(client, limiter, rateLimits ?? new RateLimitOptions());
        }
        if (retry is not null)
        {
            var retrying = new RetryingChatClient(client, retry, timeProvider);
            if (onRetry is not null)
            {
                retrying.Retrying += onRetry;
            }
            client = retrying;
        }
        if (cache is not null)
        {
            client = new TeacherCachingChatClient(client, cache.Store, cache.TimeToLive, modelId);
            client = new CallStartMarkingChatClient(client, cache.Marks, modelId);
        }
        return client;
    }
}
