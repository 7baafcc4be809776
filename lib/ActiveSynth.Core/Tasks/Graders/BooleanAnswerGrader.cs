namespace ActiveSynth.Core.Tasks.Graders;

/// <summary>True/false answers: true/True/TRUE/yes/correct and false/no/incorrect, trailing punctuation ignored.</summary>
public sealed class BooleanAnswerGrader : AnswerGrader
{
    public static readonly BooleanAnswerGrader Instance = new();

    private static readonly char[] Separators = [' ', '\t', '.', ',', '!', ';', ':', '*', '"', '\'', '(', ')'];

    public override string? Normalize(string rawAnswer)
    {
        var word = rawAnswer.Split(Separators, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.ToLowerInvariant();
        return word switch
        {
            "true" or "yes" or "correct" => "true",
            "false" or "no" or "incorrect" => "false",
            _ => null,
        };
    }
}
