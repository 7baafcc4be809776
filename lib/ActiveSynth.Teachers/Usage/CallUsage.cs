using Microsoft.Extensions.AI;

namespace ActiveSynth.Teachers.Usage;

/// <summary>
/// What one teacher call (or a sum of calls) cost, and what the endpoint was paid for it. The cost (tokens, calls, dollars) is
/// the call's logical usage, which budgets charge: a reply served from the response cache costs the usage it was made with, so
/// a run follows the same budget course whatever the cache holds. <see cref="Billed"/> is what reached the endpoint this time.
/// </summary>
/// <param name="PromptTokens">Prompt tokens the call cost (a cached reply: those it was made with).</param>
/// <param name="CompletionTokens">Completion tokens the call cost.</param>
/// <param name="Estimated">The endpoint reported no usage; tokens were estimated.</param>
/// <param name="Cached">Served from the response cache (sums: every call was).</param>
/// <param name="CacheHits">Calls served from the cache.</param>
/// <param name="Calls">Calls counted (a retried call counts once).</param>
/// <param name="Retries">Retries that happened; never charged.</param>
/// <param name="CostUsd">From the configured prices in force.</param>
/// <param name="Latency">Wall time of the calls.</param>
/// <param name="Model">Model that answered.</param>
public sealed record CallUsage(long PromptTokens, long CompletionTokens, bool Estimated, bool Cached, int CacheHits, int Calls, int Retries,
    double CostUsd, TimeSpan Latency, string Model)
{
    /// <summary>What the endpoint was paid for these calls in this run: nothing for a cache hit; an abandoned attempt again.</summary>
    public BilledUsage Billed { get; init; } = BilledUsage.None;

    public static CallUsage None(string model) => new(0, 0, false, false, 0, 0, 0, 0, TimeSpan.Zero, model);

    public long TotalTokens => PromptTokens + CompletionTokens;

    /// <summary>
    /// Usage of a successful call: tokens from the response's usage, estimated (and flagged) where the endpoint gave none. A
    /// cached response costs the usage it was stored with and bills nothing. Retries are read from the retry layer's marker;
    /// only the successful attempt's usage exists, which is what makes a retried call never paid twice. An earlier attempt
    /// abandoned by a replica that died mid-call is billed once more, but costs the budget nothing more.
    /// </summary>
    public static CallUsage FromResponse(ChatResponse response, IEnumerable<ChatMessage> prompt, string model, PriceTable prices, TimeSpan latency)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(prices);
        var retries = TeacherOptionKeys.Get<int>(response.AdditionalProperties, TeacherOptionKeys.Retries);
        var answeredBy = response.ModelId ?? model;
        var cached = TeacherOptionKeys.Get<bool>(response.AdditionalProperties, TeacherOptionKeys.Cached);
        var estimated = response.Usage?.InputTokenCount is null || response.Usage?.OutputTokenCount is null;
        var promptTokens = response.Usage?.InputTokenCount ?? TokenEstimator.Estimate(prompt);
        var completionTokens = response.Usage?.OutputTokenCount ?? TokenEstimator.Estimate(response.Text);
        var cost = prices.Cost(answeredBy, promptTokens, completionTokens);
        if (cached)
        {
            return new CallUsage(promptTokens, completionTokens, estimated, true, 1, 1, retries, cost, latency, answeredBy);
        }
        var paidAttempts = TeacherOptionKeys.Get<bool>(response.AdditionalProperties, TeacherOptionKeys.AbandonedAttempt) ? 2 : 1;
        return new CallUsage(promptTokens, completionTokens, estimated, false, 0, 1, retries, cost, latency, answeredBy)
        {
            Billed = new BilledUsage(paidAttempts * (promptTokens + completionTokens), paidAttempts * cost, paidAttempts),
        };
    }

    /// <summary>A call that failed after <paramref name="retries"/> retries: no tokens were charged (no response, no usage).</summary>
    public static CallUsage Failed(string model, int retries, TimeSpan latency) =>
        new(0, 0, false, false, 0, 1, retries, 0, latency, model) { Billed = new BilledUsage(0, 0, 1) };

    public CallUsage Plus(CallUsage other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var calls = Calls + other.Calls;
        return new CallUsage(PromptTokens + other.PromptTokens, CompletionTokens + other.CompletionTokens, Estimated || other.Estimated,
            calls > 0 && CacheHits + other.CacheHits == calls, CacheHits + other.CacheHits, calls, Retries + other.Retries,
            CostUsd + other.CostUsd, Latency + other.Latency, string.IsNullOrEmpty(Model) ? other.Model : Model)
        {
            Billed = Billed.Plus(other.Billed),
        };
    }
}

/// <summary>What a teacher endpoint was paid: tokens (prompt + completion), dollars and calls that reached it.</summary>
public sealed record BilledUsage(long Tokens, double CostUsd, int Calls)
{
    public static BilledUsage None { get; } = new(0, 0, 0);

    public BilledUsage Plus(BilledUsage other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Tokens + other.Tokens, CostUsd + other.CostUsd, Calls + other.Calls);
    }
}
