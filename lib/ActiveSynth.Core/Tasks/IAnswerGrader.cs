namespace ActiveSynth.Core.Tasks;

/// <summary>Final-answer extraction and exact match after normalisation, per family.</summary>
public interface IAnswerGrader
{
    /// <summary>The final answer in <paramref name="output"/> (after <c>####</c>, or "The answer is …"), normalised; null when there is none.</summary>
    string? ExtractFinalAnswer(string output);

    /// <summary>True when the final answers of <paramref name="output"/> and <paramref name="referenceAnswer"/> match after normalisation.</summary>
    bool IsCorrect(string output, string referenceAnswer);
}
