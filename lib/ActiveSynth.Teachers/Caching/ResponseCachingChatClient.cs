using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace ActiveSynth.Teachers.Caching;

/// <summary>
/// Answers a request from <see cref="IResponseCache"/> when its fingerprint was paid for before, charging
/// nothing (usage 0, <see cref="TeacherOptionKeys.Cached"/> set); otherwise calls through and stores the reply.
/// Outermost layer of the pipeline, so a hit skips rate limits and retries too. A request with
/// <see cref="TeacherOptionKeys.DisableCache"/> neither reads nor writes. A call through is marked started until its reply is
/// stored: when the mark of an earlier attempt is still there, that attempt's process died mid-call and the endpoint may
/// have billed it, so the reply is flagged (<see cref="TeacherOptionKeys.AbandonedAttempt"/>) and its usage counts that
/// attempt too (<see cref="Usage.CallUsage.FromResponse"/>): a budget then errs on the side of what was paid.
/// </summary>
public sealed class ResponseCachingChatClient(IChatClient inner, IResponseCache cache, string? defaultModel) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        if (TeacherOptionKeys.Get<bool>(options?.AdditionalProperties, TeacherOptionKeys.DisableCache))
        {
            return await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        }
        var fingerprint = RequestFingerprint.Compute(list, options, defaultModel);
        if (await cache.TryGetAsync(fingerprint, cancellationToken).ConfigureAwait(false) is { } hit)
        {
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, hit.Text))
            {
                ModelId = hit.ModelId,
                FinishReason = ChatFinishReason.Stop,
                Usage = new UsageDetails { InputTokenCount = 0, OutputTokenCount = 0, TotalTokenCount = 0 },
                AdditionalProperties = new() { [TeacherOptionKeys.Cached] = true },
            };
        }
        var abandonedBefore = !await cache.TryStartAsync(fingerprint, cancellationToken).ConfigureAwait(false);
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await cache.FinishAsync(fingerprint, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        if (!string.IsNullOrEmpty(response.Text))
        {
            await cache.SetAsync(fingerprint, new CachedResponse(response.Text, response.ModelId,
                response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0), cancellationToken).ConfigureAwait(false);
        }
        await cache.FinishAsync(fingerprint, CancellationToken.None).ConfigureAwait(false);
        return abandonedBefore ? WithAbandonedAttempt(response) : response;
    }

    private static ChatResponse WithAbandonedAttempt(ChatResponse response)
    {
        (response.AdditionalProperties ??= [])[TeacherOptionKeys.AbandonedAttempt] = true;
        Activity.Current?.AddEvent(new ActivityEvent("teacher.abandoned_attempt_charged"));
        return response;
    }
}
