namespace ActiveSynth.Core.Tasks.Graders;

/// <summary>
/// Imported datasets (family "gsm8k"): numeric answers compare as numbers; anything else compares as text,
/// lower-cased with whitespace collapsed and trailing punctuation dropped.
/// </summary>
public sealed class TextAnswerGrader : AnswerGrader
{
    public static readonly TextAnswerGrader Instance = new();

    public override string? Normalize(string rawAnswer)
    {
        var numeric = NumericAnswerGrader.Instance.Normalize(rawAnswer);
        // A leading number decides ("42 apples"); text that merely contains a digit ("route 66") stays text.
        if (numeric is not null && char.IsDigit(rawAnswer.TrimStart('$', '-', ' ', '€', '£').FirstOrDefault()))
        {
            return numeric;
        }
        var collapsed = string.Join(' ', rawAnswer.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
        var text = collapsed.TrimEnd('.', '!', '?', ',', ';', ':').Trim();
        return text.Length == 0 ? null : text;
    }
}
