using Microsoft.Extensions.AI;

namespace ActiveSynth.Teachers.Usage;

/// <summary>What one teacher call (or a sum of calls) cost.</summary>
/// <param name="PromptTokens">Prompt tokens charged (0 when cached).</param>
/// <param name="CompletionTokens">Completion tokens charged (0 when cached).</param>
/// <param name="Estimated">The endpoint reported no usage; tokens were estimated.</param>
/// <param name="Cached">Served from the response cache (sums: every call was).</param>
/// <param name="CacheHits">Calls served from the cache.</param>
/// <param name="Calls">Calls counted (a retried call counts once; one redone after its replica died mid-call counts twice).</param>
/// <param name="Retries">Retries that happened; never charged.</param>
/// <param name="CostUsd">From the configured prices; 0 when cached.</param>
/// <param name="Latency">Wall time of the calls.</param>
/// <param name="Model">Model that answered.</param>
public sealed record CallUsage(long PromptTokens, long CompletionTokens, bool Estimated, bool Cached, int CacheHits, int Calls, int Retries,
    double CostUsd, TimeSpan Latency, string Model)
{
    public static CallUsage None(string model) => new(0, 0, false, false, 0, 0, 0, 0, TimeSpan.Zero, model);

    public long TotalTokens => PromptTokens + CompletionTokens;

    /// <summary>
    /// Usage of a successful call: tokens from the response's usage, estimated (and flagged) where the endpoint
    /// gave none. A cached response charges nothing. Retries are read from the retry layer's marker; only the
    /// successful attempt's usage exists, which is what makes a retried call never paid twice.
    /// </summary>
    public static CallUsage FromResponse(ChatResponse response, IEnumerable<ChatMessage> prompt, string model, PriceTable prices, TimeSpan latency)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(prices);
        var retries = TeacherOptionKeys.Get<int>(response.AdditionalProperties, TeacherOptionKeys.Retries);
        var answeredBy = response.ModelId ?? model;
        if (TeacherOptionKeys.Get<bool>(response.AdditionalProperties, TeacherOptionKeys.Cached))
        {
            return new CallUsage(0, 0, false, true, 1, 1, retries, 0, latency, answeredBy);
        }
        var estimated = response.Usage?.InputTokenCount is null || response.Usage?.OutputTokenCount is null;
        // An abandoned earlier attempt of the same request (its replica died mid-call) is charged as much as this one.
        var paidAttempts = TeacherOptionKeys.Get<bool>(response.AdditionalProperties, TeacherOptionKeys.AbandonedAttempt) ? 2 : 1;
        var promptTokens = paidAttempts * (response.Usage?.InputTokenCount ?? TokenEstimator.Estimate(prompt));
        var completionTokens = paidAttempts * (response.Usage?.OutputTokenCount ?? TokenEstimator.Estimate(response.Text));
        return new CallUsage(promptTokens, completionTokens, estimated, false, 0, paidAttempts, retries,
            prices.Cost(answeredBy, promptTokens, completionTokens), latency, answeredBy);
    }

    /// <summary>A call that failed after <paramref name="retries"/> retries: nothing was charged (no response, no usage).</summary>
    public static CallUsage Failed(string model, int retries, TimeSpan latency) => new(0, 0, false, false, 0, 1, retries, 0, latency, model);

    public CallUsage Plus(CallUsage other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var calls = Calls + other.Calls;
        return new CallUsage(PromptTokens + other.PromptTokens, CompletionTokens + other.CompletionTokens, Estimated || other.Estimated,
            calls > 0 && CacheHits + other.CacheHits == calls, CacheHits + other.CacheHits, calls, Retries + other.Retries,
            CostUsd + other.CostUsd, Latency + other.Latency, string.IsNullOrEmpty(Model) ? other.Model : Model);
    }
}
