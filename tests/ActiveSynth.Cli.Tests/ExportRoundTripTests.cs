using System.Text.Json;
using ActiveSynth.AppHost.Discovery;
using ActiveSynth.Core.Datasets;
using ActiveSynth.Core.Tasks;
using Parquet;

using static ActiveSynth.Cli.Tests.CliRun;

namespace ActiveSynth.Cli.Tests;

/// <summary>
/// `export` writes snake_case fields (id, question, answer, family, difficulty and the lineage: round, seed_id, strategy,
/// strategy_score) in JSONL and in Parquet, by default into the run's folder, and `seeds import` reads either back as the same
/// items without --question-field/--answer-field.
/// </summary>
public sealed class ExportRoundTripTests : IDisposable
{
    private const string RunId = "export-r1";

    private readonly string _dir = Directory.CreateTempSubdirectory("activesynth-cli-export-").FullName;

    private string Artifacts => Path.Combine(_dir, "artifacts");

    private string RunFolder => Path.Combine(Artifacts, "runs", RunId);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A tiny local run: one round of 4 samples, with its state (and so the lineage) in its folder.</summary>
    private async Task<IReadOnlyList<TaskItem>> LocalRunAsync()
    {
        var (code, output) = await RunAsync("run", "--local", "--strategy", "loss-high", "--seed", "0", "--rounds", "1", "--pool", "24", "--test", "12",
            "--samples-per-round", "4", "--base-steps", "10", "--train-steps", "2", "--artifacts", Artifacts, "--run-id", RunId);
        Assert.True(code == 0, output);
        var kept = Gsm8kJsonl.ImportFile(Path.Combine(RunFolder, "dataset.jsonl"));
        Assert.NotEmpty(kept);
        return kept;
    }

    [Fact]
    public async Task A_jsonl_and_a_parquet_export_of_a_local_run_import_back_as_the_same_items()
    {
        var kept = await LocalRunAsync();

        foreach (var format in new[] { "jsonl", "parquet" })
        {
            var (code, output) = await RunAsync("export", RunId, "--format", format, "--artifacts", Artifacts);
            Assert.True(code == 0, output);
            var exported = Path.Combine(RunFolder, $"export.{format}");
            Assert.True(File.Exists(exported), $"no {exported}: {output}");
            Assert.Equal(["answer", "difficulty", "family", "id", "question", "round", "seed_id", "strategy", "strategy_score"],
                await FieldNamesAsync(exported, format));

            (code, output) = await RunAsync("seeds", "import", exported, "--name", $"back-{format}", "--artifacts", Artifacts);
            Assert.True(code == 0, output);
            var imported = Gsm8kJsonl.ImportFile(Path.Combine(Artifacts, "seeds", $"back-{format}.jsonl"));
            Assert.Equal(kept.OrderBy(i => i.Id, StringComparer.Ordinal), imported.OrderBy(i => i.Id, StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task The_lineage_is_in_the_export_and_out_writes_where_it_says()
    {
        await LocalRunAsync();
        var output = Path.Combine(_dir, "mine.jsonl");

        var (code, text) = await RunAsync("export", RunId, "--artifacts", Artifacts, "--out", output);

        Assert.True(code == 0, text);
        Assert.False(File.Exists(Path.Combine(RunFolder, "export.jsonl")));
        var rows = (await File.ReadAllLinesAsync(output)).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, r =>
        {
            Assert.Equal(1, r.GetProperty("round").GetInt32());
            Assert.Equal("loss-high", r.GetProperty("strategy").GetString());
            Assert.False(string.IsNullOrEmpty(r.GetProperty("seed_id").GetString()));
        });
    }

    [Fact]
    public async Task Without_artifacts_a_run_of_the_running_local_deployment_is_found()
    {
        var run = Directory.CreateDirectory(Path.Combine(Artifacts, "runs", $"svc-{Guid.NewGuid():N}"[..20])).FullName;
        var item = new TaskItem("copy-1", "copy", 1, "copy: abc", "#### abc");
        Gsm8kJsonl.ExportFile([item], Path.Combine(run, "dataset.jsonl"), includeMetadata: true);
        var stateDir = Path.Combine(_dir, "state");
        var (pid, startedAt) = LocalDeploymentFile.CurrentProcess();
        LocalDeploymentFile.Write(Path.Combine(stateDir, LocalDeploymentFile.FileName), new LocalDeployment("http://127.0.0.1:1", null, Artifacts, pid, startedAt));
        var console = new Spectre.Console.Testing.TestConsole();
        console.Profile.Width = 2000;

        var code = await CliApp.RunAsync(["export", Path.GetFileName(run)], console, name => name == LocalDeploymentFile.StateDirVariable ? stateDir : null);

        Assert.True(code == 0, console.Output);
        var line = JsonDocument.Parse(File.ReadAllLines(Path.Combine(run, "export.jsonl")).Single()).RootElement;
        Assert.Equal("copy-1", line.GetProperty("id").GetString());
        Assert.False(line.TryGetProperty("seed_id", out _), "a service run's dataset has no lineage: the field is left out");
    }

    private static async Task<List<string>> FieldNamesAsync(string path, string format)
    {
        if (format == "jsonl")
        {
            using var first = JsonDocument.Parse((await File.ReadAllLinesAsync(path))[0]);
            return [.. first.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
        }
        await using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream);
        return [.. reader.Schema.GetDataFields().Select(f => f.Name).Order(StringComparer.Ordinal)];
    }
}
