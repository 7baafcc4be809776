using System.Globalization;
using System.Text.RegularExpressions;

namespace ActiveSynth.Testing;

/// <summary>
/// The fake endpoint's replies to the teacher's question and solution prompts for the <c>gsm8k</c> family, which the embedded
/// teacher cannot write (it has no generator for imported data). A new question is the seed's with every number shifted by an
/// amount drawn from the call's seed; a solution adds the question's numbers and ends with <c>#### sum</c>. They are well-formed
/// GSM8K items (the grader reads the number after ####), not meaningful ones: enough to drive a run end to end. Judge prompts
/// are left to the embedded teacher, which grades gsm8k numbers with the family's grader.
/// </summary>
internal static partial class Gsm8kFakeAnswers
{
    private const string FamilyLine = "Task family: gsm8k";

    public static string? Reply(string prompt, long? seed)
    {
        if (!prompt.Contains(FamilyLine, StringComparison.Ordinal))
        {
            return null;
        }
        if (After(prompt, "Seed question:") is { } question)
        {
            var shift = 1 + (int)((ulong)(seed ?? 0) % 9);
            return Number().Replace(question, m => (long.Parse(m.Value, CultureInfo.InvariantCulture) + shift).ToString(CultureInfo.InvariantCulture));
        }
        if (After(prompt, "Question to solve:") is { } toSolve)
        {
            var numbers = Number().Matches(toSolve).Select(m => long.Parse(m.Value, CultureInfo.InvariantCulture)).ToList();
            var sum = numbers.Sum();
            return string.Create(CultureInfo.InvariantCulture, $"Adding the numbers of the question: {string.Join(" + ", numbers)} = <<{string.Join("+", numbers)}={sum}>>{sum}\n#### {sum}");
        }
        return null;
    }

    private static string? After(string prompt, string marker)
    {
        var at = prompt.LastIndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? null : prompt[(at + marker.Length)..].Trim();
    }

    [GeneratedRegex(@"\d+")]
    private static partial Regex Number();
}
