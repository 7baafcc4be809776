using ActiveSynth.Cli.Commands;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using Google.Protobuf;
using Spectre.Console.Testing;

namespace ActiveSynth.Cli.Tests;

/// <summary>The command line's options become one RunSpec: a --spec file with the given options written over its fields.</summary>
public sealed class CliSpecsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("activesynth-clispec-").FullName;

    [Fact]
    public void Without_a_file_the_options_start_from_the_embedded_recipe()
    {
        var spec = CliSpecs.Build(new RunCommand.Settings { Local = true, Rounds = 3 }, "random", 5);

        Assert.Equal("random", spec.Strategy.Name);
        Assert.Equal(5, spec.RandomSeed);
        Assert.Equal(3, spec.MaxRounds);
        Assert.Equal(64, spec.SamplesPerRound);
        Assert.Equal(EmbeddedRecipe.Training(), spec.Training);
        Assert.Equal(["copy", "rev", "shift"], spec.Task.Families);
    }

    [Fact]
    public void A_benchmark_preset_sets_the_families_and_the_base_families_and_a_mode_its_factor()
    {
        var spec = CliSpecs.Build(new RunCommand.Settings { Local = true, Benchmark = "arith-logic", Mode = "overgenerate" }, "static", 1);

        Assert.Equal(["step10", "bool"], spec.Task.Families);
        Assert.Equal("step10,bool", spec.Student.Options["base_families"]);
        Assert.Equal(GenerationMode.Overgenerate, spec.Mode);
        Assert.Equal(4, spec.OvergenerateFactor);
        Assert.Equal("static", spec.Strategy.Name);
        Assert.Equal(3, CliSpecs.Build(new RunCommand.Settings { Local = true, Mode = "overgenerate", OvergenerateFactor = 3 }, null, null).OvergenerateFactor);
        Assert.Equal(GenerationMode.SeedSelection, CliSpecs.Build(new RunCommand.Settings { Local = true, Mode = "seed" }, null, null).Mode);
    }

    [Fact]
    public void A_paper_table_cell_gets_its_benchmark_mode_strategy_and_seed_and_a_run_id_within_the_limit()
    {
        var settings = new PaperTable.PaperTableCommand.Settings { Budget = "tokens=60000", Name = "paper-table-pilot" };
        var cell = new PaperTable.PaperTableCell("arith-logic", "overgenerate", "loss-high-fam", 99);

        var spec = PaperTable.PaperTableCommand.Spec(settings, cell);

        Assert.Equal(["step10", "bool"], spec.Task.Families);
        Assert.Equal(GenerationMode.Overgenerate, spec.Mode);
        Assert.Equal(4, spec.OvergenerateFactor);
        Assert.Equal(64 / 4, spec.SamplesPerRound); // a round asks for 64 candidates, as a seed-mode round asks for 64 samples
        Assert.Equal(("loss-high-fam", 99L, 60000L), (spec.Strategy.Name, spec.RandomSeed, spec.Budget.MaxTeacherTokens));
        Assert.Equal(0, spec.MaxRounds); // the budget ends the run
        // The cache stays on: a cached answer costs the budget what it cost when it was paid for, so runs sharing a seed spend alike.
        Assert.False(spec.Teacher?.DisableCache ?? false);
        var runId = cell.RunId(settings.Name);
        Assert.Equal("paper-table-pilot-arith-logic-over-loss-high-fam-s99", runId);
        Assert.InRange(runId.Length, 1, 63);
        Assert.Equal(JsonFormatter.Default.Format(spec), JsonFormatter.Default.Format(PaperTable.PaperTableCommand.Spec(settings, cell))); // deterministic: reruns find it
    }

    [Fact]
    public void Options_override_the_fields_of_a_spec_file_and_leave_the_rest()
    {
        var file = Path.Combine(_dir, "spec.json");
        var written = EmbeddedRecipe.Spec("loss-low", 9, samplesPerRound: 12, maxRounds: 5, seedPoolSize: 50, testSetSize: 20);
        written.Training.Steps = 11;
        File.WriteAllText(file, JsonFormatter.Default.Format(written));

        var spec = CliSpecs.Build(new RunCommand.Settings { Local = true, SpecFile = file, Rounds = 2, Budget = "tokens=5000" }, strategy: null, seed: null);

        Assert.Equal("loss-low", spec.Strategy.Name);
        Assert.Equal(9, spec.RandomSeed);
        Assert.Equal(12, spec.SamplesPerRound);
        Assert.Equal(2, spec.MaxRounds);
        Assert.Equal(5000, spec.Budget.MaxTeacherTokens);
        Assert.Equal(0, spec.Budget.MaxSamples);
        Assert.Equal(11, spec.Training.Steps);
        Assert.Equal(50, spec.Task.SeedPoolSize);
    }

    [Fact]
    public async Task A_spec_file_that_is_not_a_run_spec_exits_with_2_naming_the_file()
    {
        var file = Path.Combine(_dir, "bad.json");
        await File.WriteAllTextAsync(file, "{\"samplesPerRound\": \"many\"}");
        var console = new TestConsole();
        console.Profile.Width = 400;

        var exit = await CliApp.RunAsync(["run", "--local", "--spec", file, "--artifacts", Path.Combine(_dir, "a")], console);

        Assert.Equal(CliApp.BadArguments, exit);
        Assert.Contains($"--spec: '{file}'", console.Output);
    }

    [Fact]
    public async Task A_spec_with_a_bad_field_exits_with_2_naming_the_field()
    {
        var file = Path.Combine(_dir, "zero.json");
        var written = EmbeddedRecipe.Spec("random", 1, samplesPerRound: 4, maxRounds: 1);
        written.SamplesPerRound = 0;
        await File.WriteAllTextAsync(file, JsonFormatter.Default.Format(written));
        var console = new TestConsole();
        console.Profile.Width = 400;

        var exit = await CliApp.RunAsync(["run", "--local", "--spec", file, "--artifacts", Path.Combine(_dir, "a")], console);

        Assert.Equal(CliApp.BadArguments, exit);
        Assert.Contains("spec.samples_per_round", console.Output);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
