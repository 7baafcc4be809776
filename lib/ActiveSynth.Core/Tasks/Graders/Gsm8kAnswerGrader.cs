using System.Globalization;
using System.Text.RegularExpressions;

namespace ActiveSynth.Core.Tasks.Graders;

/// <summary>
/// GSM8K's grader (family <c>gsm8k</c>): the final answer is the number after the last <c>####</c> (or the other markers
/// <see cref="FinalAnswerText"/> knows), compared as a number. GSM8K's conventions are read the way the dataset writes
/// them: calculator annotations (<c>&lt;&lt;48/2=24&gt;&gt;24</c>) are removed first, thousands separators in groups of
/// three (<c>1,234</c>), currency signs before or after the sign (<c>$5</c>, <c>-$5</c>, <c>$-5</c>), a Unicode minus,
/// decimals (<c>0.50</c> = <c>0.5</c>, <c>72.0</c> = <c>72</c>) and trailing units or words (<c>18 dollars</c>,
/// <c>50%</c>). An answer with no number (<c>#### many</c>) has no final answer, so it is never correct.
/// </summary>
public sealed partial class Gsm8kAnswerGrader : AnswerGrader
{
    public static readonly Gsm8kAnswerGrader Instance = new();

    public override string? Normalize(string rawAnswer)
    {
        ArgumentNullException.ThrowIfNull(rawAnswer);
        var value = ParseNumber(rawAnswer);
        return value?.ToString("0.############################", CultureInfo.InvariantCulture);
    }

    /// <summary>The first number of a raw final answer, after GSM8K's conventions; null when it has none.</summary>
    public static decimal? ParseNumber(string rawAnswer)
    {
        ArgumentNullException.ThrowIfNull(rawAnswer);
        var text = Annotation().Replace(rawAnswer, "");
        var open = text.IndexOf("<<", StringComparison.Ordinal);
        if (open >= 0)
        {
            text = text[..open]; // an annotation cut off (a truncated generation): its inside is not the answer
        }
        text = text.Replace('\u2212', '-'); // U+2212 MINUS SIGN
        var match = Number().Match(text);
        if (!match.Success)
        {
            return null;
        }
        var digits = match.Groups["n"].Value.Replace(",", "", StringComparison.Ordinal);
        if (!decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return null; // more digits than a decimal holds: not an answer anyone can compare
        }
        return match.Groups["sign"].Success || match.Groups["sign2"].Success ? -value : value;
    }

    /// <summary>Calculator annotations as GSM8K writes them: <c>&lt;&lt;expression=result&gt;&gt;</c>.</summary>
    [GeneratedRegex(@"<<[^<>]*>>")]
    private static partial Regex Annotation();

    // Thousands separators only in groups of three, so "1,2" is not read as 12; a sign before or after a currency sign.
    [GeneratedRegex(@"(?<sign>-)?\s*[$€£]?\s*(?<sign2>-)?\s*(?<n>\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)")]
    private static partial Regex Number();
}
