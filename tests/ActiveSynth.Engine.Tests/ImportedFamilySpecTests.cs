using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Engine.Tests;

/// <summary>
/// A run on GSM8K-format files: <c>imported_family: "gsm8k"</c> is accepted, its items keep the family from the file to the
/// requests the workers get, and a file with several bad lines is refused naming every one of them.
/// </summary>
public sealed class ImportedFamilySpecTests : IDisposable
{
    private static readonly RunPlanOptions Options = new();

    private const string Seeds =
        "{\"question\": \"Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether?\", \"answer\": \"Natalia sold 48/2 = <<48/2=24>>24 clips in May.\\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether.\\n#### 72\"}\n"
        + "{\"question\": \"Weng earns $12 an hour for babysitting. Yesterday, she did 50 minutes of babysitting. How much did she earn?\", \"answer\": \"Weng earns 12/60 = $<<12/60=0.2>>0.2 per minute.\\nWorking 50 minutes, she earned 0.2 x 50 = $<<0.2*50=10>>10.\\n#### 10\"}\n";

    private const string Test =
        "{\"question\": \"A shop sells 1,200 pens a week. How many in 2 weeks?\", \"answer\": \"1,200 x 2 = <<1200*2=2400>>2,400\\n#### 2,400\"}\n";

    private readonly ArtifactStore _artifacts = new(Path.Combine(Path.GetTempPath(), $"activesynth-gsm8k-{Guid.NewGuid():N}"));

    public void Dispose() => Directory.Delete(_artifacts.Root, recursive: true);

    private RunSpec Gsm8kSpec()
    {
        Directory.CreateDirectory(Path.Combine(_artifacts.Root, "seeds"));
        File.WriteAllText(Path.Combine(_artifacts.Root, "seeds", "train.jsonl"), Seeds);
        File.WriteAllText(Path.Combine(_artifacts.Root, "seeds", "test.jsonl"), Test);
        var spec = EmbeddedRecipe.Spec("loss-high", 1, samplesPerRound: 4, maxRounds: 1);
        spec.Task = new TaskSpec { SeedFile = "seeds/train.jsonl", TestFile = "seeds/test.jsonl", ImportedFamily = "gsm8k" };
        return spec;
    }

    [Fact]
    public void A_spec_with_imported_family_gsm8k_is_valid()
    {
        Assert.Empty(RunSpecValidator.Validate(Gsm8kSpec(), Options));
    }

    [Fact]
    public void Imported_items_keep_the_gsm8k_family_into_the_requests_and_are_graded_as_numbers()
    {
        var (seeds, test) = RunPlan.Create(Gsm8kSpec(), Options).BuildTaskSets(_artifacts);

        Assert.All(seeds.Concat(test), item => Assert.Equal("gsm8k", item.Family));
        Assert.Equal(["seed-1", "seed-2"], seeds.Select(s => s.Id));
        // What a score or train request carries: the family travels with the item.
        Assert.Equal("gsm8k", seeds[0].ToContract().Family);
        Assert.Equal("gsm8k", seeds[0].ToContract().ToTaskItem().Family);
        var grader = TaskFamilyRegistry.Default.GraderFor(test[0].Family);
        Assert.True(grader.IsCorrect("2 weeks of 1200 pens.\n#### 2400.00", test[0].Answer));
        Assert.False(grader.IsCorrect("#### 240", test[0].Answer));
    }

    [Fact]
    public void Gsm8k_as_a_generating_family_is_refused_saying_it_only_grades()
    {
        var spec = EmbeddedRecipe.Spec("loss-high", 1, samplesPerRound: 4, maxRounds: 1);
        spec.Task.Families.Add("gsm8k");

        var error = Assert.Single(RunSpecValidator.Validate(spec, Options), e => e.Field == "spec.task.families[3]");

        Assert.Contains("'gsm8k' is a family of imported data", error.Problem, StringComparison.Ordinal);
        Assert.Contains("task.seed_file", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_imported_family_lists_the_known_ones()
    {
        var spec = Gsm8kSpec();
        spec.Task.ImportedFamily = "sonnets";

        var error = Assert.Single(RunSpecValidator.Validate(spec, Options));

        Assert.Equal("spec.task.imported_family", error.Field);
        Assert.Equal("unknown family 'sonnets'; known: gsm8k, text, copy, rev, shift, swap, back, rot, arith, logic, list, sum10, bool, minmax, step10", error.Problem);
    }

    [Fact]
    public void A_seed_file_with_several_bad_lines_is_refused_naming_each()
    {
        var spec = Gsm8kSpec();
        File.WriteAllText(Path.Combine(_artifacts.Root, "seeds", "train.jsonl"),
            Seeds + "{\"question\": \"q\"}\n{\"question\": \"q4\", \"answer\": \"#### four\"}\n");

        var e = Assert.Throws<SpecValidationException>(() => RunPlan.Create(spec, Options).BuildTaskSets(_artifacts));

        var error = Assert.Single(e.Errors);
        Assert.Equal("spec.task.seed_file", error.Field);
        Assert.StartsWith("'seeds/train.jsonl': 2 problems: line 3: missing field \"answer\"; line 4: field \"answer\": final answer 'four' is not an answer of family 'gsm8k'",
            error.Problem, StringComparison.Ordinal);
    }
}
