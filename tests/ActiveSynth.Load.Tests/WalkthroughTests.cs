using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Testing;
using Xunit.Abstractions;

namespace ActiveSynth.Load.Tests;

/// <summary>
/// The README's walkthrough "The paper's setting" through the AppHost: the GSM8K-format files of samples/gsm8k in the deployment's
/// artifact directory (where <c>activesynth seeds import --artifacts</c> puts them), an OpenAI-compatible teacher (the fake
/// endpoint the deployment's Teacher holds), and a tiny Qwen2 student trained with LoRA. The spec is the one
/// <c>activesynth run --server ... --seed-file ... --test-file ... --teacher openai --hf-model ...</c> sends (the command line's
/// own mapping is tested in the Cli tests, and the same walkthrough runs in-process there).
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class WalkthroughTests(LoadAppHostFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task A_gsm8k_run_with_an_openai_teacher_and_a_tiny_hf_student_completes_through_the_apphost()
    {
        var teacher = fixture.Teacher;
        teacher.ClearFaults();
        teacher.PermanentFault = null;
        var tag = Guid.NewGuid().ToString("N")[..8];
        var samples = RepositoryFiles.Path("samples", "gsm8k");
        Directory.CreateDirectory(Path.Combine(fixture.ArtifactsRoot, "seeds"));
        File.Copy(Path.Combine(samples, "seeds.jsonl"), Path.Combine(fixture.ArtifactsRoot, "seeds", $"walk-{tag}-seeds.jsonl"));
        File.Copy(Path.Combine(samples, "test.jsonl"), Path.Combine(fixture.ArtifactsRoot, "seeds", $"walk-{tag}-test.jsonl"));
        using var model = TinyHfCheckpoint.Qwen(seed: 7);
        var modelPath = $"models/walk-{tag}";
        Directory.CreateDirectory(Path.Combine(fixture.ArtifactsRoot, modelPath));
        foreach (var file in Directory.GetFiles(model.Directory))
        {
            File.Copy(file, Path.Combine(fixture.ArtifactsRoot, modelPath, Path.GetFileName(file)));
        }
        var before = teacher.Snapshot();
        var spec = new RunSpec
        {
            Name = "walkthrough",
            Task = new TaskSpec { SeedFile = $"seeds/walk-{tag}-seeds.jsonl", TestFile = $"seeds/walk-{tag}-test.jsonl", ImportedFamily = "gsm8k" },
            Teacher = new TeacherSpec { Kind = TeacherKind.Openai, Model = "gpt-4o-mini" },
            Strategy = new StrategySpec { Name = "loss-high" },
            SamplesPerRound = 4,
            MaxRounds = 2,
            Training = new TrainingOptions(EmbeddedRecipe.Training()) { ReplayFraction = 0, Steps = 2, LearningRate = 1e-2 },
            Student = new StudentSpec { Kind = StudentKind.Hf, Path = modelPath, MaxNewTokens = 24, Options = { ["lora_rank"] = "4", ["max_context"] = "256" } },
            RandomSeed = 17,
        };
        var runs = new RunDriver(fixture);
        var runId = $"load-walk-{tag}";

        await runs.StartAsync(runId, spec);
        Assert.NotNull(await runs.WaitFinishedAsync(runId, TimeSpan.FromMinutes(5)));
        var run = await runs.GetAsync(runId);
        var billed = teacher.Snapshot().Since(before);
        output.WriteLine($"{runId}: {run.State} ({run.StopReason}{run.FailureReason}), usage {run.Usage}, drops {run.DropsByReason}; endpoint: {billed}");

        Assert.True(run.State == RunState.Completed, $"run {runId} ended {run.State}: {run.FailureReason}");
        Assert.Equal([0, 1, 2], run.Curve.Select(p => p.Round));
        Assert.True(run.Usage.SamplesKept > 0, "no GSM8K sample was kept");
        Assert.Equal(run.Usage.SamplesDropped, run.DropsByReason.Values.Sum()); // every drop has its reason
        Assert.Equal(billed.Tokens, run.Usage.TeacherTokens);
        Assert.Contains("gpt-4o-mini", teacher.RequestedModels.Keys);
        var lineage = await runs.ReadLineageAsync(runId);
        Assert.NotEmpty(lineage);
    }
}
