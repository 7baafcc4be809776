using ActiveSynth.Cli.Commands;
using ActiveSynth.Cli.Compare;
using ActiveSynth.Core.Datasets;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using Google.Protobuf;
using Spectre.Console.Testing;

using static ActiveSynth.Cli.Tests.CliRun;

namespace ActiveSynth.Cli.Tests;

/// <summary>
/// <c>run</c> and <c>compare</c> take <c>--seed-file</c>/<c>--test-file</c>: an imported set's name or a JSONL path under the
/// artifact root, written into the spec as task.seed_file/test_file, checked before anything runs.
/// </summary>
public sealed class TaskFileOptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("activesynth-cli-taskfiles-").FullName;

    private string Artifacts => Path.Combine(_dir, "artifacts");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_set_name_becomes_its_stored_file_and_a_path_stays_a_path()
    {
        var spec = CliSpecs.Build(new RunCommand.Settings { Local = true, SeedFile = "gsm8k-train", TestFile = "seeds/held-out.jsonl" }, "random", 0);

        Assert.Equal("seeds/gsm8k-train.jsonl", spec.Task.SeedFile);
        Assert.Equal("seeds/held-out.jsonl", spec.Task.TestFile);

        var compare = CliSpecs.Build(new CompareCommand.Settings { SeedFile = "data/train.jsonl", TestFile = "test" }, "loss-high", 1);
        Assert.Equal("data/train.jsonl", compare.Task.SeedFile);
        Assert.Equal("seeds/test.jsonl", compare.Task.TestFile);
    }

    [Fact]
    public void The_options_replace_the_inline_items_of_a_spec_file()
    {
        var file = Path.Combine(_dir, "spec.json");
        var written = EmbeddedRecipe.Spec("loss-high", 2, samplesPerRound: 4, maxRounds: 1);
        written.Task.SeedItems.Add(new Contracts.V1.SeedItem { Id = "a", Family = "rev", Question = "rev ab", Answer = "#### ba" });
        written.Task.TestItems.Add(new Contracts.V1.SeedItem { Id = "b", Family = "rev", Question = "rev cd", Answer = "#### dc" });
        File.WriteAllText(file, JsonFormatter.Default.Format(written));

        var spec = CliSpecs.Build(new RunCommand.Settings { Local = true, SpecFile = file, SeedFile = "s", TestFile = "t" }, null, null);

        Assert.Empty(spec.Task.SeedItems);
        Assert.Empty(spec.Task.TestItems);
        Assert.Equal("seeds/s.jsonl", spec.Task.SeedFile);
        Assert.Equal("seeds/t.jsonl", spec.Task.TestFile);
    }

    public static TheoryData<string[], string> BadTaskFiles => new()
    {
        { ["run", "--local", "--seed-file", "nowhere", "--test-file", "nowhere-test"], "--seed-file: no imported set 'nowhere' in " },
        { ["run", "--local", "--seed-file", "train-00000-of-00001.parquet", "--test-file", "t"], "--seed-file: 'train-00000-of-00001.parquet' is Parquet; runs read imported sets: import it first" },
        { ["run", "--local", "--seed-file", "../../etc/passwd", "--test-file", "t"], "--seed-file: '../../etc/passwd' " },
        { ["compare", "--seed-file", "s", "--test-file", "missing/test.jsonl"], "--seed-file: no imported set 's'" },
        { ["run", "--local", "--seed-file", "  ", "--test-file", "t"], "--seed-file: give an imported set's name" },
    };

    [Theory]
    [MemberData(nameof(BadTaskFiles))]
    public async Task A_task_file_that_cannot_be_used_exits_with_2_naming_the_option(string[] args, string expected)
    {
        var (code, output) = await RunAsync([.. args, "--artifacts", Artifacts]);

        Assert.Equal(CliApp.BadArguments, code);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_seed_file_without_a_test_file_is_refused_rather_than_tested_on_generated_families()
    {
        await ImportAsync("only-seeds", TaskSetGenerator.Generate([TaskFamilyRegistry.Default.Get("rev")], 1, 2, 6, 1, "x"));

        var (code, output) = await RunAsync("run", "--local", "--seed-file", "only-seeds", "--artifacts", Artifacts);

        Assert.Equal(CliApp.BadArguments, code);
        Assert.Contains("--seed-file needs --test-file", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_local_run_on_imported_sets_picks_its_seeds_from_the_file_and_keeps_their_family()
    {
        var rev = TaskFamilyRegistry.Default.Get("rev");
        var seeds = TaskSetGenerator.Generate([rev], 1, 3, 12, 7, "s");
        var test = TaskSetGenerator.Generate([rev], 1, 3, 6, 8, "t", seeds.Select(s => s.Question).ToHashSet(StringComparer.Ordinal));
        await ImportAsync("rev-seeds", seeds);
        await ImportAsync("rev-test", test);

        var (code, output) = await RunAsync("run", "--local", "--strategy", "loss-high", "--run-id", "imported", "--rounds", "1",
            "--samples-per-round", "3", "--base-steps", "10", "--train-steps", "2",
            "--seed-file", "rev-seeds", "--test-file", "rev-test", "--artifacts", Artifacts);

        Assert.True(code == 0, output);
        var state = LoopStateJson.Deserialize(await File.ReadAllTextAsync(Path.Combine(Artifacts, "runs", "imported", "state.json")));
        Assert.Equal(seeds.Select(s => s.Question), state.Seeds.Select(s => s.Question)); // the pool is the file, not generated
        Assert.Equal(Enumerable.Range(1, 12).Select(i => $"seed-{i}"), state.Seeds.Select(s => s.Id));
        Assert.NotEmpty(state.Samples);
        Assert.All(state.Samples, s => Assert.Contains(s.SeedId, state.Seeds.Select(x => x.Id)));
        Assert.All(state.Samples, s => Assert.Equal("rev", s.Item.Family));
    }

    /// <summary>Stores <paramref name="items"/> as the set <paramref name="name"/> through `seeds import`, as a user would.</summary>
    private async Task ImportAsync(string name, IReadOnlyList<TaskItem> items)
    {
        var file = Path.Combine(_dir, $"{name}.jsonl");
        Gsm8kJsonl.ExportFile(items, file); // question and answer only, as a dataset file has them
        var (code, output) = await RunAsync("seeds", "import", file, "--family", "rev", "--artifacts", Artifacts);
        Assert.True(code == 0, output);
    }
}
