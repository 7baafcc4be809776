using System.Text.RegularExpressions;

namespace ActiveSynth.Core.Tasks.Graders;

/// <summary>
/// Finds the raw final-answer text in free model output, before any family-specific normalisation.
/// Real models do not always follow the GSM8K format, so the markers are tried from the most to the least
/// explicit: the last <c>#### x</c> line, then <c>\boxed{x}</c>, then the last "the (final) answer is x",
/// then the last "Answer: x".
/// </summary>
public static partial class FinalAnswerText
{
    /// <summary>Raw final-answer text (trimmed, one line), or null when the output has no recognisable final answer.</summary>
    public static string? Extract(string? output)
    {
        if (string.IsNullOrWhiteSpace(output))
        {
            return null;
        }
        var marker = output.LastIndexOf(Gsm8kAnswer.Marker, StringComparison.Ordinal);
        if (marker >= 0)
        {
            return NonEmpty(FirstLine(output[(marker + Gsm8kAnswer.Marker.Length)..]));
        }
        var boxed = Boxed().Matches(output);
        if (boxed.Count > 0)
        {
            return NonEmpty(boxed[^1].Groups[1].Value);
        }
        var answerIs = AnswerIs().Matches(output);
        if (answerIs.Count > 0)
        {
            return NonEmpty(FirstLine(answerIs[^1].Groups[1].Value));
        }
        var answerLabel = AnswerLabel().Matches(output);
        return answerLabel.Count > 0 ? NonEmpty(FirstLine(answerLabel[^1].Groups[1].Value)) : null;
    }

    private static string FirstLine(string text)
    {
        var trimmed = text.TrimStart();
        var end = trimmed.IndexOf('\n');
        return (end >= 0 ? trimmed[..end] : trimmed).Trim();
    }

    private static string? NonEmpty(string text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    [GeneratedRegex(@"\\boxed\{([^{}]*)\}")]
    private static partial Regex Boxed();

    [GeneratedRegex(@"the\s+(?:final\s+)?answer\s+is\s*:?\s*([^\n]+)", RegexOptions.IgnoreCase)]
    private static partial Regex AnswerIs();

    [GeneratedRegex(@"(?:^|\n)\s*(?:final\s+)?answer\s*:\s*([^\n]+)", RegexOptions.IgnoreCase)]
    private static partial Regex AnswerLabel();
}
