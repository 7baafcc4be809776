using System.Globalization;
using ActiveSynth.Core.Tasks;
using Microsoft.Extensions.AI;

namespace ActiveSynth.Teachers.Prompts;

/// <summary>Builds the chat messages of each teacher call from the versioned templates.</summary>
public static class TeacherPrompts
{
    /// <summary>Call 1: write one new question like <paramref name="seed"/>.</summary>
    public static IList<ChatMessage> Question(string version, TaskItem seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        return Messages(version, PromptLibrary.Question, new Dictionary<string, string>
        {
            ["family"] = seed.Family,
            ["difficulty"] = seed.Difficulty.ToString(CultureInfo.InvariantCulture),
            ["question"] = seed.Question,
        });
    }

    /// <summary>Call 2: solve <paramref name="question"/> step by step; the seed shows the family's answer format.</summary>
    public static IList<ChatMessage> Solution(string version, TaskItem seed, string question)
    {
        ArgumentNullException.ThrowIfNull(seed);
        return Messages(version, PromptLibrary.Solution, new Dictionary<string, string>
        {
            ["family"] = seed.Family,
            ["question"] = question,
            ["example_question"] = seed.Question,
            ["example_answer"] = seed.Answer,
        });
    }

    /// <summary>Judge: how hard is <paramref name="item"/>.</summary>
    public static IList<ChatMessage> JudgeDifficulty(string version, TaskItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Messages(version, PromptLibrary.JudgeDifficulty, new Dictionary<string, string>
        {
            ["family"] = item.Family,
            ["question"] = item.Question,
        });
    }

    /// <summary>Judge: is <paramref name="studentAnswer"/> a correct answer to <paramref name="item"/>.</summary>
    public static IList<ChatMessage> JudgeAnswer(string version, TaskItem item, string studentAnswer)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Messages(version, PromptLibrary.JudgeAnswer, new Dictionary<string, string>
        {
            ["family"] = item.Family,
            ["question"] = item.Question,
            ["reference"] = item.Answer,
            ["student_answer"] = studentAnswer,
        });
    }

    private static List<ChatMessage> Messages(string version, string name, Dictionary<string, string> values) =>
    [
        new(ChatRole.System, PromptLibrary.Template(version, PromptLibrary.System)),
        new(ChatRole.User, PromptLibrary.Render(version, name, values)),
    ];
}
