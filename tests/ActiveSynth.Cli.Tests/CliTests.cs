using System.Text.Json;
using ActiveSynth.Cli;
using ActiveSynth.Cli.Compare;
using ActiveSynth.Testing;
using SkiaSharp;
using Spectre.Console.Testing;

namespace ActiveSynth.Cli.Tests;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"activesynth-cli-{Guid.NewGuid():N}");

    public static TheoryData<string[], string> BadArguments => new()
    {
        { ["compare", "--strategies", "random,nope"], "'nope'" },
        { ["compare", "--strategies", "random,random"], "listed twice" },
        { ["compare", "--budget", "tokens=-5"], "--budget" },
        { ["compare", "--budget", "bananas=5"], "unknown limit 'bananas'" },
        { ["compare", "--no-such-option"], "no-such-option" },
        { ["run", "--local", "--strategy", "nope"], "--strategy" },
        { ["run", "--local", "--rounds", "0"], "--budget" },
        { ["run", "--strategy", "loss-high"], "--local" },
        { ["run", "--local", "--server", "http://localhost:5000"], "--server" },
        { ["report", "/does/not/exist.json"], "does not exist" },
        { ["compare", "--benchmark", "poetry"], "--benchmark: unknown 'poetry'" },
        { ["compare", "--benchmark", "strings", "--families", "copy"], "give one" },
        { ["compare", "--mode", "sideways"], "--mode: 'sideways'" },
        { ["compare", "--mode", "overgenerate", "--overgenerate-factor", "1"], "--overgenerate-factor" },
        { ["paper-table"], "--budget" },
        { ["paper-table", "--budget", "tokens=5000", "--benchmarks", "strings,poetry"], "--benchmarks: unknown 'poetry'" },
        { ["paper-table", "--budget", "tokens=5000", "--modes", "seed,sideways"], "--modes" },
        { ["paper-table", "--budget", "tokens=5000", "--strategies", "random,nope"], "'nope'" },
        { ["paper-table", "--budget", "tokens=5000", "--benchmark", "strings"], "--benchmarks and --modes" },
        { ["paper-table", "--budget", "tokens=5000", "--name", "Bad Name"], "--name" },
        { ["frobnicate"], "frobnicate" },
        { ["runs", "--server", "not a url"], "--server" },
        { ["watch", "some-run", "--server", "ftp://example"], "--server" },
        { ["cancel"], "RUN" },
        { ["runs", "delete"], "RUN" },
        { ["runs", "delete", "some-run", "--server", "ftp://example"], "--server" },
        { ["runs", "delete", "Bad/Run", "--server", "http://127.0.0.1:1"], "RUN: 'Bad/Run' is not a run id" },
        { ["runs", "delete", "some-run", "--server", "http://127.0.0.1:1", "--frobnicate"], "frobnicate" },
        { ["export", "some-run", "--format", "xml"], "--format" },
        { ["export", "no-such-run", "--artifacts", "/nonexistent"], "no run 'no-such-run'" },
        { ["seeds", "import", "/does/not/exist.jsonl"], "does not exist" },
        { ["run", "--local", "--hf-option", "dtype=float32"], "needs --hf-model" },
        { ["run", "--local", "--hf-model", "../qwen"], "--hf-model: '../qwen'" },
        { ["run", "--local", "--hf-model", "qwen", "--hf-option", "dtype=float8"], "--hf-option: options[dtype] is 'float8'" },
        { ["run", "--local", "--hf-model", "qwen", "--hf-option", "lora_rank"], "'lora_rank' is not key=value" },
        { ["run", "--local", "--hf-model", "qwen", "--hf-option", "finetune=half"], "options[finetune] is 'half'" },
        { ["students", "pretrain", "--arch", "gpt2", "--out", "x"], "--arch: 'gpt2'" },
        { ["students", "pretrain", "--arch", "qwen2"], "--out: required" },
        { ["students", "pretrain", "--out", "x", "--benchmark", "poetry"], "--benchmark: unknown 'poetry'" },
        { ["students", "pretrain", "--out", "x", "--difficulties", "1,zero"], "--difficulties: '1,zero'" },
        { ["students", "pretrain", "--out", "x", "--heads", "4", "--kv-heads", "3"], "KeyValueHeads (3) must divide Heads (4)" },
    };

    [Fact]
    public async Task Students_pretrain_writes_a_hugging_face_base_that_refuses_to_be_overwritten()
    {
        var output = Path.Combine(_dir, "models", "tiny-llama");
        var (code, text) = await CliRun.RunAsync("students", "pretrain", "--arch", "llama", "--out", output, "--hidden", "32", "--intermediate", "48",
            "--steps", "3", "--batch", "4", "--test", "6");

        Assert.True(code == 0, text);
        Assert.Contains("wrote Llama base", text, StringComparison.Ordinal);
        Assert.Contains("accuracy on 6 test items", text, StringComparison.Ordinal);
        foreach (var file in new[] { "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "generation_config.json" })
        {
            Assert.True(File.Exists(Path.Combine(output, file)), $"{file} missing");
        }
        using var config = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "config.json")));
        Assert.Equal("llama", config.RootElement.GetProperty("model_type").GetString());

        var (again, refused) = await CliRun.RunAsync("students", "pretrain", "--out", output, "--hidden", "32", "--steps", "1", "--test", "0");
        Assert.Equal(CliApp.BadArguments, again);
        Assert.Contains("--out:", refused, StringComparison.Ordinal);
        Assert.Contains("not empty", refused, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadArguments))]
    public async Task Bad_arguments_exit_with_2_and_say_what_is_wrong(string[] args, string expected)
    {
        var console = new TestConsole();
        console.Profile.Width = 400;

        var exit = await CliApp.RunAsync(args, console);

        Assert.Equal(CliApp.BadArguments, exit);
        Assert.Contains(expected, console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_every_command()
    {
        var console = new TestConsole();
        var exit = await CliApp.RunAsync(["--help"], console);

        Assert.Equal(0, exit);
        Assert.Contains("compare", console.Output, StringComparison.Ordinal);
        Assert.Contains("run", console.Output, StringComparison.Ordinal);
        Assert.Contains("report", console.Output, StringComparison.Ordinal);
        Assert.Contains("watch", console.Output, StringComparison.Ordinal);
        Assert.Contains("cancel", console.Output, StringComparison.Ordinal);
        Assert.Contains("runs", console.Output, StringComparison.Ordinal);
        Assert.Contains("students", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runs_delete_has_help_naming_its_argument_and_its_force_option()
    {
        var console = new TestConsole();
        console.Profile.Width = 400;

        var exit = await CliApp.RunAsync(["runs", "delete", "--help"], console);

        Assert.Equal(0, exit);
        Assert.Contains("<RUN>", console.Output, StringComparison.Ordinal);
        Assert.Contains("--force", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_on_a_tiny_configuration_writes_every_file()
    {
        var console = new TestConsole();
        var exit = await CliApp.RunAsync(
        [
            "compare", "--strategies", "random,loss-high", "--seeds", "2", "--rounds", "2", "--pool", "24", "--test", "12",
            "--samples-per-round", "4", "--base-steps", "10", "--train-steps", "2",
            "--artifacts", Path.Combine(_dir, "artifacts"), "--out", Path.Combine(_dir, "out"), "--name", "tiny",
        ], console);

        Assert.True(exit == 0, console.Output);
        var json = Path.Combine(_dir, "out", "tiny.json");
        var report = JsonSerializer.Deserialize<ComparisonReport>(await File.ReadAllTextAsync(json))!;
        Assert.Equal(["random", "loss-high"], report.Strategies.Select(s => s.Strategy));
        Assert.All(report.Strategies, s =>
        {
            Assert.Equal(2, s.Runs);
            Assert.Equal(3, s.AccuracyByRound.Count); // rounds 0, 1, 2
            Assert.Equal(8, s.SamplesMean);
        });
        Assert.Equal(0, report.Strategies[0].DeltaAuc!.Mean); // the baseline against itself
        Assert.Contains("| `loss-high` |", await File.ReadAllTextAsync(Path.Combine(_dir, "out", "tiny.md")), StringComparison.Ordinal);

        using var png = SKBitmap.Decode(Path.Combine(_dir, "out", "tiny.png"));
        Assert.NotNull(png);
        Assert.Equal(ComparisonPlot.Width, png.Width);
        Assert.Equal(ComparisonPlot.Height, png.Height);

        // The runs' samples export as JSONL (one line per kept sample) and as Parquet.
        var artifacts = Path.Combine(_dir, "artifacts");
        var jsonl = Path.Combine(_dir, "export.jsonl");
        Assert.Equal(0, await CliApp.RunAsync(["export", "cmp-loss-high-seed0", "--artifacts", artifacts, "--out", jsonl], new TestConsole()));
        Assert.Equal(8, (await File.ReadAllLinesAsync(jsonl)).Count(l => l.Contains("\"question\"", StringComparison.Ordinal)));
        var parquet = Path.Combine(_dir, "export.parquet");
        Assert.Equal(0, await CliApp.RunAsync(["export", "cmp-loss-high-seed0", "--format", "parquet", "--artifacts", artifacts, "--out", parquet], new TestConsole()));
        var magic = new byte[4];
        await using (var file = File.OpenRead(parquet))
        {
            await file.ReadExactlyAsync(magic);
        }
        Assert.Equal("PAR1"u8.ToArray(), magic);
    }

    [Fact]
    public async Task A_local_run_with_a_hugging_face_student_trains_a_lora_adapter_per_round()
    {
        using var model = TinyHfCheckpoint.Qwen(seed: 11);
        var artifacts = Path.Combine(_dir, "artifacts");
        var console = new TestConsole();
        console.Profile.Width = 400;

        var exit = await CliApp.RunAsync(
        [
            "run", "--local", "--strategy", "loss-high", "--run-id", "hf", "--rounds", "2", "--pool", "8", "--test", "4", "--samples-per-round", "3",
            "--families", "copy", "--train-steps", "3", "--artifacts", artifacts,
            "--hf-model", Path.GetFileName(model.Directory), "--models-root", Path.GetDirectoryName(model.Directory)!,
            "--hf-option", "lora_rank=4", "--hf-option", "max_context=160",
        ], console);

        Assert.True(exit == 0, console.Output);
        // The Training worker's checkpoint layout, the same as on a deployment.
        foreach (var round in new[] { "r1", "r2" })
        {
            Assert.True(File.Exists(Path.Combine(artifacts, "runs", "hf", "checkpoints", round, "adapter_model.safetensors")), round);
            Assert.True(File.Exists(Path.Combine(artifacts, "runs", "hf", "checkpoints", round, "adapter_config.json")), round);
        }
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(artifacts, "runs", "hf", "checkpoints", "r2", "hf-checkpoint.json")));
        Assert.Equal("hf-r1", manifest.RootElement.GetProperty("parent_id").GetString());
        Assert.Equal(6, manifest.RootElement.GetProperty("trained_samples").GetInt32()); // a round trains on every sample kept so far
    }

    [Fact]
    public async Task Seeds_import_stores_a_valid_file_and_names_the_bad_line_of_an_invalid_one()
    {
        Directory.CreateDirectory(_dir);
        var good = Path.Combine(_dir, "good.jsonl");
        await File.WriteAllLinesAsync(good, ["""{"question": "What is 2+3?", "answer": "2+3=5\n#### 5"}""", """{"question": "What is 4*2?", "answer": "4*2=8\n#### 8"}"""]);
        var console = new TestConsole();
        console.Profile.Width = 400;
        Assert.Equal(0, await CliApp.RunAsync(["seeds", "import", good, "--artifacts", Path.Combine(_dir, "artifacts")], console));
        Assert.Contains("imported 2 seeds", console.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir, "artifacts", "seeds", "good.jsonl")));

        var bad = Path.Combine(_dir, "bad.jsonl");
        await File.WriteAllLinesAsync(bad, ["""{"question": "What is 2+3?", "answer": "2+3=5\n#### 5"}""", "{not json"]);
        console = new TestConsole();
        console.Profile.Width = 400;
        Assert.Equal(CliApp.BadArguments, await CliApp.RunAsync(["seeds", "import", bad, "--artifacts", Path.Combine(_dir, "artifacts")], console));
        Assert.Contains("line 2", console.Output, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(Path.Combine(_dir, "artifacts", "seeds", "bad.jsonl")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
