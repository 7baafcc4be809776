using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;

namespace ActiveSynth.Teachers.Caching;

/// <summary>
/// Microsoft.Extensions.AI's <see cref="DistributedCachingChatClient"/> with the teacher's rules: the key is our
/// <see cref="RequestFingerprint"/> (stable across library versions, which a 30-day cache shared by replicas needs, and
/// including the prompt version and the embedded teacher's error rate); a hit charges nothing (usage 0,
/// <see cref="TeacherOptionKeys.Cached"/> set); an empty reply is not stored; entries expire after the configured time; a
/// request with <see cref="TeacherOptionKeys.DisableCache"/> neither reads nor writes.
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
            Usage = new UsageDetails { InputTokenCount = 0, OutputTokenCount = 0, TotalTokenCount = 0 },
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
