using Microsoft.Extensions.AI;

namespace ActiveSynth.Teachers.Usage;

/// <summary>
/// Token estimates for endpoints that report no usage (and for rate-limit admission before a call): about four
/// characters per token for English text plus a small per-message overhead, the usual rule of thumb for BPE
/// tokenizers. Estimated usage is flagged as such wherever it is reported.
/// </summary>
public static class TokenEstimator
{
    private const int CharsPerToken = 4;
    private const int PerMessageOverhead = 4;

    public static int Estimate(string? text) => string.IsNullOrEmpty(text) ? 0 : (text.Length + CharsPerToken - 1) / CharsPerToken;

    public static int Estimate(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return messages.Sum(m => Estimate(m.Text) + PerMessageOverhead);
    }
}
