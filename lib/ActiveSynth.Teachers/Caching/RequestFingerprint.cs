using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace ActiveSynth.Teachers.Caching;

/// <summary>
/// The cache key of a teacher request: SHA-256 over model, prompt version, temperature, seed, max output tokens
/// and the messages (role and text). Everything that can change the reply is in it; nothing else is, so a
/// re-run of the same spec hits.
/// </summary>
public static class RequestFingerprint
{
    public static string Compute(IEnumerable<ChatMessage> messages, ChatOptions? options, string? defaultModel)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("model", options?.ModelId ?? defaultModel ?? "");
            writer.WriteString("prompt_version", TeacherOptionKeys.Get<string>(options?.AdditionalProperties, TeacherOptionKeys.PromptVersion) ?? "");
            writer.WriteString("temperature", options?.Temperature?.ToString("R", CultureInfo.InvariantCulture) ?? "");
            writer.WriteString("seed", options?.Seed?.ToString(CultureInfo.InvariantCulture) ?? "");
            writer.WriteString("max_output_tokens", options?.MaxOutputTokens?.ToString(CultureInfo.InvariantCulture) ?? "");
            // The embedded teacher's error rate changes its replies, so it is part of the key too.
            writer.WriteString("error_rate", options?.AdditionalProperties is { } p && p.TryGetValue(TeacherOptionKeys.ErrorRate, out var rate)
                ? Convert.ToString(rate, CultureInfo.InvariantCulture) : "");
            writer.WriteStartArray("messages");
            foreach (var message in messages)
            {
                writer.WriteStartObject();
                writer.WriteString("role", message.Role.Value);
                writer.WriteString("text", message.Text);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }
}
