using System.Text;
using ActiveSynth.Cli;
using Spectre.Console.Testing;

namespace ActiveSynth.Cli.Tests;

/// <summary>
/// `seeds import` and `export` on malformed or hostile input: a clear error naming the file and line (or the option),
/// exit code 2 for a bad seed file or argument (1 for an artifact directory or export that fails), and nothing stored or
/// half-written.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private const string Good = "{\"question\": \"What is 2+3?\", \"answer\": \"2+3=5\\n#### 5\"}";
    private readonly string _dir = Directory.CreateTempSubdirectory("activesynth-cli-hostile-").FullName;

    private string Artifacts => Path.Combine(_dir, "artifacts");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 1000;
        var code = await CliApp.RunAsync(args, console);
        return (code, console.Output.ReplaceLineEndings(" "));
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Write(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    public static TheoryData<string, string> BadSeedFiles => new()
    {
        { "{\"question\": \"q\", \"answer\": 5}\n", "line 1: field \"answer\" is not a string" },
        { $"{Good}\n{{\"question\": [\"a\"], \"answer\": \"#### 1\"}}\n", "line 2: field \"question\" is not a string" },
        { $"{Good}\n{{\"question\": {{\"nested\": 1}}, \"answer\": \"#### 1\"}}\n", "line 2: field \"question\" is not a string" },
        { $"{Good}\n{Good.Replace("2+3", "3+4", StringComparison.Ordinal)}\n{{broken\n", "line 3: not valid JSON" },
        { "[1, 2, 3]\n", "line 1: not a JSON object" },
        { new string('x', 1_000_000), "line 1: line is longer than 65536 bytes" },
    };

    [Theory]
    [MemberData(nameof(BadSeedFiles))]
    public async Task A_bad_seed_file_is_refused_naming_file_and_line_and_nothing_is_stored(string content, string problem)
    {
        var file = Write("seeds.jsonl", content);

        var (code, output) = await RunAsync("seeds", "import", file, "--artifacts", Artifacts);

        Assert.Equal(CliApp.BadArguments, code);
        Assert.Contains($"{file}: {problem}", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Artifacts, "seeds")) && Directory.EnumerateFileSystemEntries(Path.Combine(Artifacts, "seeds")).Any());
    }

    [Fact]
    public async Task Invalid_utf8_is_refused_naming_file_and_line()
    {
        var file = Write("latin1.jsonl", Encoding.UTF8.GetBytes(Good + "\n").Concat(Encoding.Latin1.GetBytes("{\"question\": \"caf\u00e9?\", \"answer\": \"#### 1\"}\n")).ToArray());

        var (code, output) = await RunAsync("seeds", "import", file, "--artifacts", Artifacts);

        Assert.Equal(CliApp.BadArguments, code);
        Assert.Contains($"{file}: line 2: is not valid UTF-8", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Artifacts, "seeds", "latin1.jsonl")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\r\n   \n")]
    public async Task An_empty_seed_file_is_refused_not_stored(string content)
    {
        var file = Write("empty.jsonl", content);

        var (code, output) = await RunAsync("seeds", "import", file, "--artifacts", Artifacts);

        Assert.Equal(CliApp.BadArguments, code);
        Assert.Contains($"{file}: holds no items", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Artifacts, "seeds", "empty.jsonl")));
    }

    [Fact]
    public async Task A_bom_and_crlf_file_imports()
    {
        var file = Write("windows.jsonl", new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes($"{Good}\r\n{Good.Replace("2+3", "1+1", StringComparison.Ordinal)}\r\n")).ToArray());

        var (code, output) = await RunAsync("seeds", "import", file, "--artifacts", Artifacts);

        Assert.Equal(0, code);
        Assert.Contains("imported 2 seeds", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_reimport_leaves_the_stored_seed_set_as_it_was()
    {
        var file = Write("set.jsonl", Good + "\n");
        Assert.Equal(0, (await RunAsync("seeds", "import", file, "--artifacts", Artifacts)).Code);
        var stored = Path.Combine(Artifacts, "seeds", "set.jsonl");
        var before = await File.ReadAllBytesAsync(stored);

        Write("set.jsonl", Good + "\n{\"question\": \"q\"}\n");
        var (code, _) = await RunAsync("seeds", "import", file, "--artifacts", Artifacts);

        Assert.Equal(CliApp.BadArguments, code);
        Assert.Equal(before, await File.ReadAllBytesAsync(stored));
        Assert.Equal(["set.jsonl"], Directory.EnumerateFiles(Path.Combine(Artifacts, "seeds")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_seeds_folder_linked_out_of_the_artifact_directory_is_refused_naming_the_option()
    {
        var outside = Directory.CreateDirectory(Path.Combine(_dir, "outside")).FullName;
        Directory.CreateDirectory(Artifacts);
        Directory.CreateSymbolicLink(Path.Combine(Artifacts, "seeds"), outside);
        var file = Write("linked.jsonl", Good + "\n");

        var (code, output) = await RunAsync("seeds", "import", file, "--artifacts", Artifacts);

        Assert.Equal(1, code);
        Assert.Contains($"--artifacts '{Artifacts}': ", output, StringComparison.Ordinal);
        Assert.Contains("points outside the artifact root", output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
    }

    [Fact]
    public async Task Artifacts_that_is_a_file_is_refused_naming_the_option()
    {
        var notADirectory = Write("artifacts-file", "x");
        var file = Write("s.jsonl", Good + "\n");

        var (code, output) = await RunAsync("seeds", "import", file, "--artifacts", notADirectory);

        Assert.Equal(1, code);
        Assert.Contains($"--artifacts '{notADirectory}': ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_of_a_corrupted_dataset_names_the_line_and_writes_nothing()
    {
        var run = Directory.CreateDirectory(Path.Combine(Artifacts, "runs", "r1")).FullName;
        await File.WriteAllTextAsync(Path.Combine(run, "dataset.jsonl"), Good + "\n{\"question\": \"q\", \"answer\": 7}\n");
        var output = Path.Combine(_dir, "out", "r1.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);

        var (code, text) = await RunAsync("export", "r1", "--artifacts", Artifacts, "--out", output);

        Assert.Equal(1, code);
        Assert.Contains("dataset.jsonl: line 2: field \"answer\" is not a string", text, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(output)!));
    }

    [Fact]
    public async Task Export_through_a_run_folder_linked_out_of_the_artifacts_is_refused()
    {
        var outside = Directory.CreateDirectory(Path.Combine(_dir, "elsewhere")).FullName;
        await File.WriteAllTextAsync(Path.Combine(outside, "dataset.jsonl"), Good + "\n");
        Directory.CreateDirectory(Path.Combine(Artifacts, "runs"));
        Directory.CreateSymbolicLink(Path.Combine(Artifacts, "runs", "r2"), outside);

        var (code, text) = await RunAsync("export", "r2", "--artifacts", Artifacts, "--out", Path.Combine(_dir, "r2.jsonl"));

        Assert.Equal(1, code);
        Assert.Contains("<RUN> 'r2'", text, StringComparison.Ordinal);
        Assert.Contains("points outside the artifact root", text, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "r2.jsonl")));
    }

    [Fact]
    public async Task Export_to_a_missing_directory_names_the_option_and_leaves_no_temporary_file()
    {
        var run = Directory.CreateDirectory(Path.Combine(Artifacts, "runs", "r3")).FullName;
        await File.WriteAllTextAsync(Path.Combine(run, "dataset.jsonl"), Good + "\n");
        var output = Path.Combine(_dir, "missing", "r3.jsonl");

        var (code, text) = await RunAsync("export", "r3", "--artifacts", Artifacts, "--out", output);

        Assert.Equal(1, code);
        Assert.Contains($"--out '{output}': ", text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "missing")));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../runs")]
    [InlineData("a\\b")]
    public async Task Export_of_a_run_id_that_is_a_path_is_a_bad_argument(string runId)
    {
        var (code, text) = await RunAsync("export", runId, "--artifacts", Artifacts);

        Assert.Equal(CliApp.BadArguments, code);
        Assert.Contains("is not a run id", text, StringComparison.Ordinal);
    }
}
