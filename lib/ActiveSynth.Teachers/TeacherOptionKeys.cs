namespace ActiveSynth.Teachers;

/// <summary>
/// Keys in <c>ChatOptions.AdditionalProperties</c> (requests) and <c>ChatResponse.AdditionalProperties</c> (responses)
/// through which the teacher pipeline's layers talk to each other. They never reach an endpoint: the OpenAI
/// client ignores unknown additional properties.
/// </summary>
public static class TeacherOptionKeys
{
    /// <summary>Request: prompt template version (part of the cache fingerprint).</summary>
    public const string PromptVersion = "activesynth.prompt_version";

    /// <summary>Request: the embedded teacher's error rate for this call (double in [0,1]).</summary>
    public const string ErrorRate = "activesynth.error_rate";

    /// <summary>Request: true bypasses the response cache (pay again).</summary>
    public const string DisableCache = "activesynth.disable_cache";

    /// <summary>Response: true when served from the response cache (nothing was charged).</summary>
    public const string Cached = "activesynth.cached";

    /// <summary>
    /// Response: true when an earlier attempt of the same request was left unfinished by a process that died mid-call; the
    /// response's usage then counts that attempt too (as much as this one cost), since the endpoint may have billed it.
    /// </summary>
    public const string AbandonedAttempt = "activesynth.abandoned_attempt";

    /// <summary>Response: retries the call needed (int); retried attempts are never charged.</summary>
    public const string Retries = "activesynth.retries";

    internal static T? Get<T>(Microsoft.Extensions.AI.AdditionalPropertiesDictionary? properties, string key) =>
        properties is not null && properties.TryGetValue(key, out var value) && value is T typed ? typed : default;
}
