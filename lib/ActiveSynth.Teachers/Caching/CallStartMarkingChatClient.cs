using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace ActiveSynth.Teachers.Caching;

/// <summary>
/// Marks each call as started until its reply is stored (it sits above the cache layer, so the mark is removed only after the
/// write). When the mark of an earlier attempt is still there, that attempt's process died mid-call and the endpoint may have
/// billed it, so the reply is flagged (<see cref="TeacherOptionKeys.AbandonedAttempt"/>) and its usage counts that attempt too
/// (<see cref="Usage.CallUsage.FromResponse"/>): a budget then errs on the side of what was paid. Hand-written: no caching
/// library knows about calls that were paid for and never answered. A reply served from the cache is never flagged.
/// </summary>
public sealed class CallStartMarkingChatClient(IChatClient inner, ICallStartMarks marks, string? defaultModel) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        if (TeacherOptionKeys.Get<bool>(options?.AdditionalProperties, TeacherOptionKeys.DisableCache))
        {
            return await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        }
        var fingerprint = RequestFingerprint.Compute(list, options, defaultModel);
        var abandonedBefore = !await marks.TryStartAsync(fingerprint, cancellationToken).ConfigureAwait(false);
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await marks.FinishAsync(fingerprint, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        await marks.FinishAsync(fingerprint, CancellationToken.None).ConfigureAwait(false);
        if (!abandonedBefore || TeacherOptionKeys.Get<bool>(response.AdditionalProperties, TeacherOptionKeys.Cached))
        {
            return response;
        }
        (response.AdditionalProperties ??= [])[TeacherOptionKeys.AbandonedAttempt] = true;
        Activity.Current?.AddEvent(new ActivityEvent("teacher.abandoned_attempt_charged"));
        return response;
    }
}
