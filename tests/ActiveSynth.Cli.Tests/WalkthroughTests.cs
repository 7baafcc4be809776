using System.Text.Json;
using ActiveSynth.Testing;
using Spectre.Console.Testing;

namespace ActiveSynth.Cli.Tests;

/// <summary>
/// The README's walkthrough "The paper's setting" in this process, command for command: the GSM8K-format seed and test files of
/// samples/gsm8k imported, then two strategies compared on them with an OpenAI-compatible teacher (the fake endpoint, whose
/// address and key come from ConnectionStrings__teacher as the README says) and a tiny Qwen2 student trained with LoRA.
/// </summary>
public sealed class WalkthroughTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("activesynth-walkthrough-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_readme_walkthrough_imports_gsm8k_files_and_compares_two_strategies_with_an_openai_teacher_and_an_hf_student()
    {
        var samples = RepositoryFiles.Path("samples", "gsm8k");
        var artifacts = Path.Combine(_dir, "artifacts");
        var output = Path.Combine(_dir, "results");
        using var model = TinyHfCheckpoint.Qwen(seed: 5);
        await using var endpoint = await FakeOpenAiServer.StartAsync(model: "gpt-4o-mini");

        Assert.Equal(0, await CliAsync("seeds", "import", Path.Combine(samples, "seeds.jsonl"), "--name", "gsm8k-seeds", "--artifacts", artifacts));
        Assert.Equal(0, await CliAsync("seeds", "import", Path.Combine(samples, "test.jsonl"), "--name", "gsm8k-test", "--artifacts", artifacts));
        Environment.SetEnvironmentVariable("ConnectionStrings__teacher", endpoint.ConnectionString);
        try
        {
            var code = await CliAsync("compare", "--seed-file", "gsm8k-seeds", "--test-file", "gsm8k-test",
                "--teacher", "openai", "--teacher-model", "gpt-4o-mini",
                "--hf-model", Path.GetFileName(model.Directory), "--models-root", Path.GetDirectoryName(model.Directory)!,
                "--hf-option", "lora_rank=4", "--hf-option", "max_context=256",
                "--strategies", "random,loss-high", "--seeds", "1", "--rounds", "2", "--samples-per-round", "4", "--train-steps", "2",
                "--artifacts", artifacts, "--out", output, "--name", "walkthrough");
            Assert.Equal(0, code);
        }
        finally
        {
            Environment.SetEnvironmentVariable("ConnectionStrings__teacher", null);
        }

        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "walkthrough.json")));
        Assert.Equal("in-process", report.RootElement.GetProperty("config").GetProperty("engine").GetString());
        var strategies = report.RootElement.GetProperty("strategies").EnumerateArray().ToList();
        Assert.Equal(["random", "loss-high"], strategies.Select(s => s.GetProperty("strategy").GetString()));
        // Each run kept the teacher's GSM8K samples: 2 rounds of 4.
        Assert.All(strategies, s => Assert.Equal(8, s.GetProperty("samples_mean").GetDouble()));
        Assert.True(endpoint.Snapshot().Completions > 0, "the teacher endpoint was never billed");
        Assert.Equal(["gpt-4o-mini"], endpoint.RequestedModels.Keys);
    }

    private async Task<int> CliAsync(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 1000;
        var code = await CliApp.RunAsync(args, console);
        Assert.True(code == 0, $"activesynth {string.Join(' ', args)} exited {code}:\n{console.Output}");
        return code;
    }
}
