using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Engine.Tests;

/// <summary>The one place a RunSpec becomes a run: the recipe's defaults, and seeds that depend on the spec only.</summary>
public sealed class RunPlanTests
{
    private static readonly RunPlanOptions Options = new();

    private static RunSpec Minimal(long seed = 3)
    {
        var spec = EmbeddedRecipe.Spec("loss-high", seed, samplesPerRound: 32, maxRounds: 2);
        spec.Training = null; // as a new user writes it: no training options
        spec.Mode = GenerationMode.Overgenerate;
        spec.OvergenerateFactor = 3;
        return spec;
    }

    [Fact]
    public void A_spec_without_training_options_gets_the_embedded_recipe()
    {
        var plan = RunPlan.Create(Minimal(), Options);

        Assert.Equal(EmbeddedRecipe.Training(), plan.Spec.Training);
        Assert.Equal(TrainInit.Continue, plan.TrainingFor(1).Init);
        Assert.True(plan.TrainingFor(1).KeepOptimizerState);
        Assert.Equal(0.5, plan.TrainingFor(1).ReplayFraction);
        Assert.Equal("constant", plan.TrainingFor(1).LrSchedule);
    }

    [Fact]
    public void Training_options_that_are_set_and_a_hugging_face_student_keep_what_the_spec_says()
    {
        var spec = Minimal();
        spec.Training = new TrainingOptions { Steps = 7, LrSchedule = "cosine" };
        Assert.Equal(spec.Training, RunPlan.Create(spec, Options).Spec.Training);

        var hf = Minimal();
        hf.Student = new StudentSpec { Kind = StudentKind.Hf, Path = "models/qwen" };
        Assert.Null(RunPlan.Create(hf, Options).Spec.Training);
    }

    [Fact]
    public void Every_seed_comes_from_the_spec_and_round_never_from_the_run()
    {
        var a = RunPlan.Create(Minimal(seed: 3), Options);
        var b = RunPlan.Create(Minimal(seed: 3), Options);
        var other = RunPlan.Create(Minimal(seed: 4), Options);

        Assert.Equal(a.TaskSeed, b.TaskSeed);
        Assert.Equal(a.TrainingFor(2).RandomSeed, b.TrainingFor(2).RandomSeed);
        Assert.Equal(a.TeacherForRequests(), b.TeacherForRequests());
        Assert.NotEqual(0, a.TrainingFor(1).RandomSeed);
        Assert.NotEqual(a.TrainingFor(1).RandomSeed, a.TrainingFor(2).RandomSeed);
        Assert.NotEqual(a.TrainingFor(1).RandomSeed, other.TrainingFor(1).RandomSeed);
        Assert.NotEqual(a.TaskSeed, other.TaskSeed);
        Assert.NotEqual(a.TeacherForRequests().RandomSeed, other.TeacherForRequests().RandomSeed);
        Assert.Equal("r2-s5", RunPlan.SampleId(2, 5));
    }

    [Fact]
    public void The_same_spec_builds_the_same_task_sets()
    {
        var artifacts = new ArtifactStore(Path.Combine(Path.GetTempPath(), $"activesynth-plan-{Guid.NewGuid():N}"));
        var (seedsA, testA) = RunPlan.Create(Minimal(), Options).BuildTaskSets(artifacts);
        var (seedsB, testB) = RunPlan.Create(Minimal(), Options).BuildTaskSets(artifacts);
        var (seedsC, _) = RunPlan.Create(Minimal(seed: 4), Options).BuildTaskSets(artifacts);

        Assert.Equal(seedsA, seedsB);
        Assert.Equal(testA, testB);
        Assert.NotEqual(seedsA.Select(s => s.Question), seedsC.Select(s => s.Question));
    }

    [Fact]
    public void A_seed_pool_larger_than_the_families_hold_is_refused_naming_its_field()
    {
        var spec = Minimal();
        spec.Task.Families.Clear();
        spec.Task.Families.Add("copy");
        spec.Task.MinDifficulty = 1;
        spec.Task.MaxDifficulty = 1;
        spec.Task.SeedPoolSize = 100_000;
        var artifacts = new ArtifactStore(Path.Combine(Path.GetTempPath(), $"activesynth-plan-{Guid.NewGuid():N}"));

        var refused = Assert.Throws<SpecValidationException>(() => RunPlan.Create(spec, Options).BuildTaskSets(artifacts));

        var error = Assert.Single(refused.Errors);
        Assert.Equal("spec.task.seed_pool_size", error.Field);
        Assert.Contains("ran out of distinct questions", error.Problem, StringComparison.Ordinal);
    }
}
