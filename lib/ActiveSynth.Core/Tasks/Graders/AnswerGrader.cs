namespace ActiveSynth.Core.Tasks.Graders;

/// <summary>
/// Shared shape of the graders: extract the raw final answer (<see cref="FinalAnswerText"/>), normalise it the
/// family's way, compare exactly. Subclasses only say how a raw answer normalises.
/// </summary>
public abstract class AnswerGrader : IAnswerGrader
{
    public string? ExtractFinalAnswer(string output)
    {
        var raw = FinalAnswerText.Extract(output);
        return raw is null ? null : Normalize(raw);
    }

    public bool IsCorrect(string output, string referenceAnswer)
    {
        var expected = ExtractFinalAnswer(referenceAnswer);
        return expected is not null && string.Equals(ExtractFinalAnswer(output), expected, StringComparison.Ordinal);
    }

    /// <summary>The canonical form of a raw final answer, or null when it is not an answer of this kind.</summary>
    public abstract string? Normalize(string rawAnswer);
}
