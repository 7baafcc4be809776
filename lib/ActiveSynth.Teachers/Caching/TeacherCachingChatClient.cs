using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;

namespace ActiveSynth.Teachers.Caching;

/// <summary>
/// Microsoft.Extensions.AI's <see cref="DistributedCachingChatClient"/> with the teacher's rules: the key is our
/// <see cref="RequestFingerprint"/> (stable across library versions, which a 30-day cache shared by replicas needs, and
/// including the prompt version and the embedded teacher's error rate); a hit carries the usage the reply was made with
/// (<see cref="TeacherOptionKeys.Cached"/> set: it costs a budget what it cost when it was paid for, and bills nothing); an
/// empty reply is not stored; entries expire after the configured time; a request with
/// <see cref="TeacherOptionKeys.DisableCache"/> neither reads nor writes.
/// </summary>
public sealed class TeacherCachingChatClient : DistributedCachingChatClient
{
    private readonly IDistributedCache _store;
    private readonly DistributedCacheEntryOptions _entryOptions;
    private readonly string? _defaultModel;

    public TeacherCachingChatClient(IChatClient inner, IDistributedCache store, TimeSpan timeToLive, string? defaultModel) : base(inner, store)
    {
        _store = store;
        _entryOptions = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = timeToLive };
        _defaultModel = defaultModel;
    }

    protected override bool EnableCaching(IEnumerable<ChatMessage> messages, ChatOptions? options) =>
        !TeacherOptionKeys.Get<bool>(options?.AdditionalProperties, TeacherOptionKeys.DisableCache) && base.EnableCaching(messages, options);

    protected override string GetCacheKey(IEnumerable<ChatMessage> messages, ChatOptions? options, params ReadOnlySpan<object?> additionalValues) =>
        RequestFingerprint.Compute(messages, options, _defaultModel);

    protected override async Task<ChatResponse?> ReadCacheAsync(string key, CancellationToken cancellationToken)
    {
        if (await base.ReadCacheAsync(key, cancellationToken).ConfigureAwait(false) is not { } stored)
        {
            return null;
        }
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, stored.Text))
        {
            ModelId = stored.ModelId,
            FinishReason = ChatFinishReason.Stop,
            // The usage it was made with (none for a reply stored without usage: then it is estimated, as for the paid call).
            Usage = stored.Usage is { } usage ? new UsageDetails
            {
                InputTokenCount = usage.InputTokenCount, OutputTokenCount = usage.OutputTokenCount, TotalTokenCount = usage.TotalTokenCount,
            } : null,
            AdditionalProperties = new() { [TeacherOptionKeys.Cached] = true },
        };
    }

    protected override async Task WriteCacheAsync(string key, ChatResponse value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (string.IsNullOrEmpty(value.Text))
        {
            return;
        }
        var stored = new ChatResponse(new ChatMessage(ChatRole.Assistant, value.Text)) { ModelId = value.ModelId, Usage = value.Usage };
        var json = JsonSerializer.SerializeToUtf8Bytes(stored, JsonSerializerOptions.GetTypeInfo(typeof(ChatResponse)));
        await _store.SetAsync(key, json, _entryOptions, cancellationToken).ConfigureAwait(false);
    }
}
