namespace ActiveSynth.Core.Tasks.Graders;

/// <summary>One-word letter answers (the string families): the first word, lower-cased, letters only.</summary>
public sealed class WordAnswerGrader : AnswerGrader
{
    public static readonly WordAnswerGrader Instance = new();

    public override string? Normalize(string rawAnswer)
    {
        var word = rawAnswer.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (word is null)
        {
            return null;
        }
        var letters = new string(word.Where(char.IsLetter).Select(char.ToLowerInvariant).ToArray());
        return letters.Length == 0 ? null : letters;
    }
}
