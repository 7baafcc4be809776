using ActiveSynth.Teachers.Usage;
using Microsoft.Extensions.AI;

namespace ActiveSynth.Teachers.Resilience;

/// <summary>
/// Holds each call until <see cref="ClientRateLimiter"/> admits it. Sits under the retry layer, so every
/// attempt (retries included) counts against the limits, as the endpoint counts them.
/// </summary>
public sealed class RateLimitingChatClient(IChatClient inner, ClientRateLimiter limiter, RateLimitOptions options) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var estimate = TokenEstimator.Estimate(list) + (chatOptions?.MaxOutputTokens ?? options.DefaultCompletionTokens);
        using var lease = await limiter.AcquireAsync(estimate, cancellationToken).ConfigureAwait(false);
        var response = await base.GetResponseAsync(list, chatOptions, cancellationToken).ConfigureAwait(false);
        lease.Complete(response.Usage?.TotalTokenCount ?? (response.Usage?.InputTokenCount + response.Usage?.OutputTokenCount));
        return response;
    }
}
