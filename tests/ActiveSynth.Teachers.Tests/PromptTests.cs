using ActiveSynth.Teachers.OpenAI;
using ActiveSynth.Teachers.Prompts;

namespace ActiveSynth.Teachers.Tests;

public sealed class PromptTests
{
    [Fact]
    public void Versioned_templates_are_embedded_and_render()
    {
        Assert.Contains("v1", PromptLibrary.Versions);
        Assert.Equal("v1", PromptLibrary.Resolve(""));
        var messages = TeacherPrompts.Question("v1", TestTeachers.Seed("rev", 2));
        Assert.Equal(2, messages.Count);
        Assert.Contains("Seed question:\nrev ", messages[1].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", messages[1].Text, StringComparison.Ordinal);
        foreach (var name in (string[])[PromptLibrary.System, PromptLibrary.Question, PromptLibrary.Solution, PromptLibrary.JudgeDifficulty, PromptLibrary.JudgeAnswer])
        {
            Assert.False(string.IsNullOrWhiteSpace(PromptLibrary.Template("v1", name)));
        }
    }

    [Fact]
    public void Unknown_versions_and_missing_values_fail_loudly()
    {
        Assert.Throws<ArgumentException>(() => PromptLibrary.Resolve("v99"));
        var e = Assert.Throws<ArgumentException>(() => PromptLibrary.Render("v1", PromptLibrary.Question, new Dictionary<string, string> { ["family"] = "rev" }));
        Assert.Contains("difficulty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Connection_strings_parse_and_never_show_the_key()
    {
        var c = TeacherConnection.Parse("Endpoint=http://127.0.0.1:11434/v1;Key=sk-secret-123;Model=llama3");
        Assert.Equal("llama3", c.Model);
        Assert.Equal("sk-secret-123", c.Key);
        Assert.DoesNotContain("sk-secret", c.ToString(), StringComparison.Ordinal);
        Assert.Null(TeacherConnection.Parse("endpoint=https://x/v1;deployment=gpt").Key);
        Assert.False(TeacherConnection.TryParse("Key=sk-secret-123;Model=m", out _, out var error));
        Assert.Contains("Endpoint", error, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-secret", error, StringComparison.Ordinal);
        Assert.False(TeacherConnection.TryParse("Endpoint=ftp://x;Model=m", out _, out _));
        Assert.False(TeacherConnection.TryParse("Endpoint=https://x/v1;Key=k", out _, out error));
        Assert.Contains("Model", error, StringComparison.Ordinal);
    }
}
