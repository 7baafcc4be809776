namespace ActiveSynth.Teachers.Caching;

/// <summary>A stored teacher reply: its text, the model that wrote it and what it cost when it was paid for.</summary>
public sealed record CachedResponse(string Text, string? ModelId, long PromptTokens, long CompletionTokens);
