using System.Globalization;
using ActiveSynth.Core.Tasks;

namespace ActiveSynth.Teachers.Embedded;

/// <summary>Makes a solution's final answer wrong, the way a fallible teacher would: a nearby number, the other truth value, one letter off.</summary>
internal static class AnswerCorruptor
{
    public static string Corrupt(string answer, Random rng)
    {
        var marker = answer.LastIndexOf(Gsm8kAnswer.Marker, StringComparison.Ordinal);
        if (marker < 0)
        {
            return answer;
        }
        var final = answer[(marker + Gsm8kAnswer.Marker.Length)..].Trim();
        return answer[..marker] + Gsm8kAnswer.Marker + " " + WrongValue(final, rng);
    }

    private static string WrongValue(string final, Random rng)
    {
        if (long.TryParse(final, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            var delta = rng.Next(1, 4) * (rng.Next(2) == 0 ? -1 : 1);
            return (number + delta).ToString(CultureInfo.InvariantCulture);
        }
        if (final is "true" or "false")
        {
            return final == "true" ? "false" : "true";
        }
        if (final.Length > 0 && final.All(char.IsAsciiLetterLower))
        {
            var chars = final.ToCharArray();
            var i = rng.Next(chars.Length);
            chars[i] = (char)('a' + ((chars[i] - 'a' + rng.Next(1, 26)) % 26));
            return new string(chars);
        }
        return final + " not";
    }
}
