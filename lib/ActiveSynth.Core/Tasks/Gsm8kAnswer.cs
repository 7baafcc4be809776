namespace ActiveSynth.Core.Tasks;

/// <summary>Writes answers in GSM8K format: reasoning lines, then <c>#### &lt;final answer&gt;</c> on the last line.</summary>
public static class Gsm8kAnswer
{
    /// <summary>The final-answer marker.</summary>
    public const string Marker = "####";

    /// <summary>Joins <paramref name="reasoning"/> lines (newline-separated) and the final answer line.</summary>
    public static string Format(IEnumerable<string> reasoning, string finalAnswer)
    {
        ArgumentNullException.ThrowIfNull(reasoning);
        ArgumentException.ThrowIfNullOrWhiteSpace(finalAnswer);
        var lines = reasoning.Where(l => !string.IsNullOrWhiteSpace(l)).Append($"{Marker} {finalAnswer}");
        return string.Join('\n', lines);
    }
}
