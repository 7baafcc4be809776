using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using ActiveSynth.Core.Diagnostics;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Core.Tasks.Graders;
using ActiveSynth.Teachers.Generation;
using ActiveSynth.Teachers.Prompts;
using ActiveSynth.Teachers.Validation;
using ActiveSynth.Testing;

namespace ActiveSynth.PythonTeacher.Tests;

/// <summary>
/// The Python worker's own functions against the .NET teacher's on the same inputs: call seeds, prompts, question hashes, the raw
/// final answer, and the question and solution checks (drop reason or cleaned text). The worker is imported as a module by
/// python3, fed the cases as JSON; a difference names the case and both answers.
/// </summary>
public sealed partial class ParityTests
{
    private static readonly string[] Replies =
    [
        "", "   ", "What is 3 + 4?", "Question: What is 3 + 4?", "```\nNew question: How many apples?\n```", "\"Reverse the word cat.\"",
        "What is 3 + 4?\n#### 7", "WHAT is 3+4 ?", "Is every wug a dax?", "Reverse the word 'garden'.",
    ];

    private static readonly string[] Solutions =
    [
        "", "3 + 4 = 7\n#### 7", "3 + 4 = 7", "The answer is 7", "so\n#### seven", "#### 1,234.50", "#### -$12", "step\n#### true",
        "step\n#### Yes.", "step\n#### maybe", "reversed\n#### nedrag", "reversed\n#### 123", "x\n####", "\\boxed{42}\n#### 42",
        "#### 7\nextra line", "Final answer: 12\n#### 12",
    ];

    private static readonly string[] Families = ["arith", "logic", "rev", "text", "gsm8k", "list"];

    [Fact(Timeout = 60_000)]
    public async Task The_python_worker_seeds_prompts_hashes_and_checks_like_the_dotnet_teacher()
    {
        var validator = new SampleValidator(TaskFamilyRegistry.Default, new ValidationOptions());
        var seed = new TaskItem("seed-1", "text", 3, "What is 3 + 4?", "3 + 4 = 7\n#### 7");
        var cases = new List<Dictionary<string, object?>>();
        var expected = new List<string>();

        foreach (var (runSeed, key) in new[] { (0L, "s-0:q"), (11L, "run-r1-s0-a1:s"), (-5L, "x") })
        {
            cases.Add(new() { ["kind"] = "seed", ["run_seed"] = runSeed, ["key"] = key });
            expected.Add(new TeacherCallSettings("m", "v1", Seed: runSeed).ToChatOptions(key).Seed!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        foreach (var text in Replies.Concat(Solutions).Append("Ünïcode Straße 42"))
        {
            cases.Add(new() { ["kind"] = "hash", ["text"] = text });
            expected.Add(QuestionHash.Compute(text));
            cases.Add(new() { ["kind"] = "final", ["text"] = text });
            expected.Add(FinalAnswerText.Extract(text) ?? "(none)");
        }
        foreach (var reply in Replies)
        {
            cases.Add(new() { ["kind"] = "question", ["text"] = reply, ["seed_question"] = seed.Question });
            expected.Add(validator.CheckQuestion(reply, seed, out var question) is { } drop ? Name(drop.Reason) : "ok:" + question);
        }
        foreach (var family in Families)
        {
            foreach (var reply in Solutions)
            {
                cases.Add(new() { ["kind"] = "solution", ["text"] = reply, ["family"] = family, ["question"] = "What is 3 + 4?" });
                expected.Add(validator.CheckSolution(reply, "What is 3 + 4?", family, out var solution) is { } drop ? Name(drop.Reason) : "ok:" + solution);
            }
        }
        foreach (var name in new[] { "question", "solution" })
        {
            cases.Add(new() { ["kind"] = "prompt", ["name"] = name, ["family"] = seed.Family, ["difficulty"] = seed.Difficulty,
                ["seed_question"] = seed.Question, ["seed_answer"] = seed.Answer, ["question"] = "How many?" });
            var messages = name == "question" ? TeacherPrompts.Question("v1", seed) : TeacherPrompts.Solution("v1", seed, "How many?");
            expected.Add(string.Join("\n---\n", messages.Select(m => $"{m.Role.Value}:{m.Text}")));
        }

        var actual = await RunPythonAsync(JsonSerializer.Serialize(cases));

        Assert.Equal(cases.Count, actual.Count);
        var differences = cases.Select((c, i) => (Case: c, Expected: expected[i], Actual: actual[i]))
            .Where(x => x.Expected != x.Actual)
            .Select(x => $"{JsonSerializer.Serialize(x.Case)}: .NET '{x.Expected}', Python '{x.Actual}'")
            .ToList();
        Assert.True(differences.Count == 0, $"{differences.Count} of {cases.Count} cases differ:\n{string.Join('\n', differences)}");
    }

    [Fact(Timeout = 60_000)]
    public async Task The_python_worker_redacts_urls_for_its_logs_like_the_dotnet_services()
    {
        string[] urls =
        [
            "https://alice:s3cret@llm.example:8443/v1?api-key=k", "http://token@10.0.0.5:7001", "https://api.openai.com/v1",
            "http://[::1]:8000/v1", "https://user:pw@gateway.example:443/openai/v1", "http://LLM.Example/v1/", "not a url", "",
        ];
        var cases = new List<Dictionary<string, object?>>();
        var expected = new List<string>();
        foreach (var url in urls)
        {
            foreach (var authorityOnly in new[] { false, true })
            {
                cases.Add(new() { ["kind"] = "safe_url", ["url"] = url, ["authority_only"] = authorityOnly });
                expected.Add(!Uri.TryCreate(url, UriKind.Absolute, out var parsed) ? SafeUrl.Redact(url)
                    : authorityOnly ? SafeUrl.Authority(parsed) : SafeUrl.Redact(parsed));
            }
        }

        var actual = await RunPythonAsync(JsonSerializer.Serialize(cases));

        Assert.Equal(expected, actual);
        Assert.All(actual, text => Assert.DoesNotContain("s3cret", text, StringComparison.Ordinal));
    }

    private static string Name(SampleDropReason reason) => CamelBoundary().Replace(reason.ToString(), "$1_$2").ToUpperInvariant();

    private static async Task<List<string>> RunPythonAsync(string casesJson)
    {
        const string script = """
            import json, sys, types
            sys.path.insert(0, sys.argv[1])
            import worker
            s = types.SimpleNamespace(max_question_chars=2000, max_solution_chars=4000, max_sample_chars=0)
            checker = types.SimpleNamespace(s=s)
            prompts = worker.Prompts(sys.argv[2])
            out = []
            for c in json.load(sys.stdin):
                k = c["kind"]
                try:
                    if k == "seed":
                        out.append(str(worker.derive_seed(c["run_seed"], c["key"])))
                    elif k == "hash":
                        out.append(worker.question_hash(c["text"]))
                    elif k == "final":
                        out.append(worker.final_answer_text(c["text"]) or "(none)")
                    elif k == "question":
                        out.append("ok:" + worker.Teacher._check_question(checker, c["text"], types.SimpleNamespace(question=c["seed_question"])))
                    elif k == "solution":
                        out.append("ok:" + worker.Teacher._check_solution(checker, c["text"], c["question"], c["family"]))
                    elif k == "safe_url":
                        out.append(worker.safe_url(c["url"], c["authority_only"]))
                    elif k == "prompt":
                        values = {"family": c["family"], "difficulty": str(c["difficulty"]), "question": c["seed_question"]} if c["name"] == "question" else \
                            {"family": c["family"], "question": c["question"], "example_question": c["seed_question"], "example_answer": c["seed_answer"]}
                        out.append("\n---\n".join("%s:%s" % (m["role"], m["content"]) for m in prompts.messages("v1", c["name"], values)))
                except worker.Drop as d:
                    out.append(d.reason)
            json.dump(out, sys.stdout)
            """;
        var info = new ProcessStartInfo(PythonTeacherProcess.Python())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(RepositoryFiles.Path("services", "python-teacher"));
        info.ArgumentList.Add(RepositoryFiles.Path("lib", "ActiveSynth.Teachers", "Prompts"));
        info.Environment["PYTHONPATH"] = Path.Combine(PythonTeacherProcess.ToolsDirectory, "site");
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(casesJson);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"python3 failed with {process.ExitCode}:\n{await stderr}");
        return JsonSerializer.Deserialize<List<string>>(await stdout)!;
    }

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex CamelBoundary();
}
