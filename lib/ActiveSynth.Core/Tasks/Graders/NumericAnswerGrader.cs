using System.Globalization;
using System.Text.RegularExpressions;

namespace ActiveSynth.Core.Tasks.Graders;

/// <summary>
/// Numbers: "#### 1,234", "$1234.00", "1234 apples", "-5." all normalise to the invariant shortest form
/// ("1234", "-5"); the first number in the answer text counts, whatever follows it.
/// </summary>
public sealed partial class NumericAnswerGrader : AnswerGrader
{
    public static readonly NumericAnswerGrader Instance = new();

    public override string? Normalize(string rawAnswer)
    {
        var match = Number().Match(rawAnswer);
        if (!match.Success)
        {
            return null;
        }
        var digits = match.Groups["n"].Value.Replace(",", "", StringComparison.Ordinal);
        if (!decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }
        if (match.Groups["sign"].Success)
        {
            value = -value;
        }
        return value.ToString("0.############", CultureInfo.InvariantCulture);
    }

    // Thousands separators only in groups of three, so "1,2" is not read as 12.
    [GeneratedRegex(@"(?<sign>-)?\s*[$€£]?\s*(?<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)")]
    private static partial Regex Number();
}
