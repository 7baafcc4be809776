namespace ActiveSynth.Teachers.Embedded;

/// <summary>Finds the marked fields of the teacher prompts (Prompts/README.md, "The embedded teacher").</summary>
internal static class PromptReader
{
    public const string SeedQuestion = "Seed question:";
    public const string QuestionToSolve = "Question to solve:";
    public const string QuestionToRate = "Question to rate:";
    public const string StudentAnswer = "Student answer:";

    /// <summary>The rest of the line after <paramref name="label"/> (first occurrence at a line start), or null.</summary>
    public static string? Line(string prompt, string label)
    {
        var start = FindLabel(prompt, label);
        if (start < 0)
        {
            return null;
        }
        var end = prompt.IndexOf('\n', start);
        return (end < 0 ? prompt[start..] : prompt[start..end]).Trim();
    }

    /// <summary>The lines after the line <paramref name="label"/>, up to <paramref name="until"/> (a later label) or the end.</summary>
    public static string? Block(string prompt, string label, string? until = null)
    {
        var start = FindLabel(prompt, label);
        if (start < 0)
        {
            return null;
        }
        var end = until is null ? -1 : FindLabel(prompt[start..], until);
        var block = end < 0 ? prompt[start..] : prompt[start..(start + end - until!.Length)];
        return block.Trim();
    }

    /// <summary>Index just past <paramref name="label"/> where it starts a line, or -1.</summary>
    private static int FindLabel(string text, string label)
    {
        if (text.StartsWith(label, StringComparison.Ordinal))
        {
            return label.Length;
        }
        var index = text.IndexOf("\n" + label, StringComparison.Ordinal);
        return index < 0 ? -1 : index + 1 + label.Length;
    }
}
