using ActiveSynth.Core.Tasks;

namespace ActiveSynth.Teachers.Validation;

/// <summary>
/// Checks the teacher's replies (Prompts/README.md, "How the output is checked"). Pure: the duplicate-of-sample
/// check, which needs the run's state, is done by the generator through <see cref="ISeenQuestions"/>.
/// </summary>
public sealed class SampleValidator(TaskFamilyRegistry registry, ValidationOptions options)
{
    /// <summary>Cleans the question reply and checks it; <paramref name="question"/> is the cleaned text.</summary>
    public SampleDrop? CheckQuestion(string? reply, TaskItem seed, out string question)
    {
        ArgumentNullException.ThrowIfNull(seed);
        question = Clean(reply ?? "");
        if (question.Length == 0)
        {
            return new SampleDrop(SampleDropReason.Empty, "the question reply is empty");
        }
        if (question.Contains(Gsm8kAnswer.Marker, StringComparison.Ordinal))
        {
            return new SampleDrop(SampleDropReason.Unparsable, "the question reply contains an answer (####)");
        }
        if (question.Length > options.MaxQuestionChars)
        {
            return new SampleDrop(SampleDropReason.TooLong, $"question of {question.Length} chars > {options.MaxQuestionChars}");
        }
        if (QuestionHash.Normalize(question) == QuestionHash.Normalize(seed.Question))
        {
            return new SampleDrop(SampleDropReason.DuplicateOfSeed, "the question repeats the seed");
        }
        if (registry.Find(seed.Family) is { } family && family.Solve(question) is null)
        {
            return new SampleDrop(SampleDropReason.WrongFamily, $"the question is not a '{family.Name}' question");
        }
        return null;
    }

    /// <summary>Checks the solution reply for <paramref name="question"/>; <paramref name="solution"/> is the trimmed text.</summary>
    public SampleDrop? CheckSolution(string? reply, string question, string familyName, out string solution)
    {
        ArgumentNullException.ThrowIfNull(question);
        solution = (reply ?? "").Trim();
        if (solution.Length == 0)
        {
            return new SampleDrop(SampleDropReason.Empty, "the solution reply is empty");
        }
        if (!solution.Contains(Gsm8kAnswer.Marker, StringComparison.Ordinal) || Core.Tasks.Graders.FinalAnswerText.Extract(solution) is null)
        {
            return new SampleDrop(SampleDropReason.NoFinalAnswer, "no '#### <answer>' line");
        }
        if (solution.Length > options.MaxSolutionChars)
        {
            return new SampleDrop(SampleDropReason.TooLong, $"solution of {solution.Length} chars > {options.MaxSolutionChars}");
        }
        if (options.MaxSampleChars > 0 && question.Length + 1 + solution.Length > options.MaxSampleChars)
        {
            return new SampleDrop(SampleDropReason.TooLong, $"sample of {question.Length + 1 + solution.Length} chars > {options.MaxSampleChars}");
        }
        var family = registry.Find(familyName);
        var grader = family?.Grader ?? registry.GraderFor(familyName);
        if (grader.ExtractFinalAnswer(solution) is null)
        {
            return new SampleDrop(SampleDropReason.Unparsable, "the final answer is not of the family's kind");
        }
        if (options.VerifyAnswers && family?.Solve(question) is { } exact && !grader.IsCorrect(solution, exact.Answer))
        {
            return new SampleDrop(SampleDropReason.VerifierRejected, "the family's solver disagrees with the final answer");
        }
        return null;
    }

    /// <summary>Removes what models like to wrap a bare question in: code fences, a "Question:" label, quotes.</summary>
    internal static string Clean(string reply)
    {
        var text = reply.Trim();
        if (text.StartsWith("```", StringComparison.Ordinal))
        {
            var firstNewline = text.IndexOf('\n');
            text = firstNewline < 0 ? "" : text[(firstNewline + 1)..];
            var fence = text.LastIndexOf("```", StringComparison.Ordinal);
            text = (fence >= 0 ? text[..fence] : text).Trim();
        }
        foreach (var label in (string[])["New question:", "Question:"])
        {
            if (text.StartsWith(label, StringComparison.OrdinalIgnoreCase))
            {
                text = text[label.Length..].Trim();
            }
        }
        return text.Length >= 2 && text[0] == '"' && text[^1] == '"' ? text[1..^1].Trim() : text;
    }
}
