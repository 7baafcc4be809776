using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;

namespace ActiveSynth.Teachers.OpenAI;

/// <summary>
/// An <see cref="IChatClient"/> for any OpenAI-compatible chat-completions endpoint (OpenAI, Azure OpenAI's v1
/// API, Ollama, vLLM, llama.cpp server) through Microsoft.Extensions.AI.OpenAI. The SDK's own retries are
/// switched off: <see cref="Resilience.RetryingChatClient"/> retries, honouring Retry-After, so that retries
/// are counted and never multiply.
/// </summary>
public static class OpenAiTeacherClient
{
    /// <param name="connection">Endpoint, key and model.</param>
    /// <param name="networkTimeout">The SDK's per-request network timeout; keep it above the retry layer's attempt timeout.</param>
    public static IChatClient Create(TeacherConnection connection, TimeSpan networkTimeout)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var options = new OpenAIClientOptions
        {
            Endpoint = connection.Endpoint,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = networkTimeout,
        };
        // Local servers accept any key; the SDK insists on a non-empty one.
        var credential = new ApiKeyCredential(string.IsNullOrEmpty(connection.Key) ? "unused" : connection.Key);
        return new ChatClient(connection.Model, credential, options).AsIChatClient();
    }
}
