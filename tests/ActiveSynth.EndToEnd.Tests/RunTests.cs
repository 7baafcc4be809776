using System.Text.Json;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Student.HuggingFace;
using ActiveSynth.Testing;
using Grpc.Core;
using Xunit.Abstractions;

namespace ActiveSynth.EndToEnd.Tests;

/// <summary>The closed loop through the real AppHost: Selection drives Scoring, Teacher and Training over Redis streams.</summary>
[Collection(AppHostCollection.Name)]
public sealed class RunTests(AppHostFixture fixture, ITestOutputHelper output)
{
    private Runs.RunsClient Runs => new(fixture.Channel("selection"));

    /// <summary>The embedded recipe, small: 16 samples a round, 10 training steps.</summary>
    internal static RunSpec SmallSpec(int maxRounds, long maxSamples)
    {
        var spec = EmbeddedRecipe.Spec("loss-high", randomSeed: 7, samplesPerRound: 16, maxRounds, seedPoolSize: 60, testSetSize: 36);
        spec.Name = "e2e";
        spec.Budget = new Budget { MaxSamples = maxSamples };
        spec.Training.Steps = 10;
        return spec;
    }

    [Fact]
    public async Task A_small_run_completes_within_budget_with_a_report_and_a_point_per_round()
    {
        var runId = $"e2e-small-{Guid.NewGuid():N}"[..20];
        await Runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = SmallSpec(maxRounds: 2, maxSamples: 32) }, deadline: Deadline(60));

        var events = await WatchUntilFinishedAsync(runId, TimeSpan.FromMinutes(8));
        var finished = events.Last(e => e.KindCase == RunEvent.KindOneofCase.RunFinished).RunFinished;
        Assert.Equal(RunState.Completed, finished.State);
        Assert.Equal(2, events.Count(e => e.KindCase == RunEvent.KindOneofCase.RoundStarted));
        Assert.True(events.Select(e => e.Sequence).Where(s => s > 0).SequenceEqual(events.Select(e => e.Sequence).Where(s => s > 0).Order()),
            "event sequence numbers are not increasing");

        var run = await Runs.GetRunAsync(new GetRunRequest { RunId = runId }, deadline: Deadline());
        output.WriteLine($"run {runId}: {run.StopReason}, curve {string.Join(" ", run.Curve.Select(p => $"r{p.Round}={p.Accuracy:P0}"))}, usage {run.Usage}");
        Assert.Equal([0, 1, 2], run.Curve.Select(p => p.Round));
        Assert.InRange(run.Usage.SamplesKept, 1, 32);
        Assert.True(run.Usage.TeacherCalls > 0);

        var report = Path.Combine(fixture.ArtifactsRoot, run.Report.Path);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        Assert.Equal(3, json.RootElement.GetProperty("learningCurve").GetArrayLength());
        Assert.True(File.Exists(Path.Combine(fixture.ArtifactsRoot, run.ReportMarkdown.Path)));
        Assert.Equal(2, run.Plots.Count(p => File.Exists(Path.Combine(fixture.ArtifactsRoot, p.Path))));
        var dataset = await File.ReadAllLinesAsync(Path.Combine(fixture.ArtifactsRoot, run.Dataset.Path));
        Assert.Equal(run.Usage.SamplesKept, dataset.Count(l => l.Length > 0));
    }

    [Fact]
    public async Task A_run_with_a_hugging_face_student_made_by_students_pretrain_learns_with_lora_through_the_services()
    {
        // A small Qwen2 base made by `activesynth students pretrain`'s code, under the deployment's artifact root, pretrained on
        // difficulty 1 only part of the way (400 steps, before the loss drops): two LoRA rounds with replay must raise its accuracy.
        var modelPath = $"models/tiny-qwen-{Guid.NewGuid():N}"[..24];
        var families = TaskFamilyRegistry.EmbeddedBenchmarkFamilies.Select(TaskFamilyRegistry.Default.Get).ToList();
        double pretrainLoss;
        using (var made = HfBasePretrainer.PretrainTo(Path.Combine(fixture.ArtifactsRoot, modelPath), AcceptanceBase, families))
        {
            pretrainLoss = made.Report.FinalLoss;
        }
        var spec = SmallSpec(maxRounds: 2, maxSamples: 0);
        spec.Task.MinDifficulty = 1;
        spec.Task.MaxDifficulty = 1;
        spec.SamplesPerRound = AcceptanceSamplesPerRound;
        spec.Task.TestSetSize = 60;
        spec.Task.SeedPoolSize = 200;
        spec.Training.ReplayFraction = 0.5; // the base's activesynth_replay.jsonl
        spec.Training.LearningRate = AcceptanceLoraLearningRate;
        spec.Training.Steps = AcceptanceLoraSteps;
        spec.Training.LrSchedule = "cosine";
        spec.Training.WarmupSteps = 20;
        spec.Training.BatchSize = 32;
        spec.Student = new StudentSpec { Kind = StudentKind.Hf, Path = modelPath, MaxNewTokens = 16 };
        spec.Student.Options.Add("lora_rank", "8");
        spec.Student.Options.Add("lora_alpha", "16");
        spec.Student.Options.Add("lora_dropout", "0");
        var runId = $"e2e-hf-{Guid.NewGuid():N}"[..20];

        await Runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = spec }, deadline: Deadline(60));
        var events = await WatchUntilFinishedAsync(runId, TimeSpan.FromMinutes(6));

        var run = await Runs.GetRunAsync(new GetRunRequest { RunId = runId }, deadline: Deadline());
        output.WriteLine($"run {runId}: {run.State} {run.StopReason} {run.FailureReason}, base pretraining loss {pretrainLoss:F3}, " +
            $"curve {string.Join(" ", run.Curve.Select(p => $"r{p.Round}={p.Accuracy:P1}"))}, usage {run.Usage}");
        Assert.Equal(RunState.Completed, events.Last().RunFinished.State);
        Assert.Equal([0, 1, 2], run.Curve.Select(p => p.Round));
        Assert.True(run.Curve[2].Accuracy > run.Curve[0].Accuracy,
            $"accuracy after two LoRA rounds {run.Curve[2].Accuracy:P1} is not above the base's {run.Curve[0].Accuracy:P1}");
        foreach (var round in new[] { 1, 2 })
        {
            var adapter = Path.Combine(fixture.ArtifactsRoot, "runs", runId, "checkpoints", $"r{round}");
            Assert.True(File.Exists(Path.Combine(adapter, "adapter_model.safetensors")), $"round {round} left no LoRA adapter in {adapter}");
            using var adapterConfig = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(adapter, "adapter_config.json")));
            Assert.Equal("LORA", adapterConfig.RootElement.GetProperty("peft_type").GetString());
            Assert.Equal(8, adapterConfig.RootElement.GetProperty("r").GetInt32());
            using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(adapter, HfCheckpointStore.ManifestFile)));
            Assert.Equal(modelPath, manifest.RootElement.GetProperty("base_path").GetString()); // LoRA on that base, not a copy of it
            Assert.NotEqual("", manifest.RootElement.GetProperty("adapter_sha256").GetString());
        }
        Assert.False(File.Exists(Path.Combine(fixture.ArtifactsRoot, "runs", runId, "checkpoints", "r2", "model.safetensors")), "a LoRA round must not copy the base weights");
    }

    /// <summary>
    /// The acceptance base: the command's default shape and data (copy, rev, shift at difficulty 1), stopped at step 400,
    /// before the drop of the loss at about 450 where difficulty 1 is learnt (6.7 % on difficulty 1 there). Width 64
    /// bases were tried first: at 600 steps they still got no item right, and LoRA then has nothing to build on.
    /// </summary>
    private static readonly HfBaseSpec AcceptanceBase = new() { Steps = 400 };

    // The published comparison's settings (strategies-hf) with 200 steps a round instead of 100: two rounds of 100 moved
    // the base only from 5.0 % to 6.7 % (one item of 60), too thin a margin; with 200 it went 5.0 % → 8.3 % → 40.0 %.
    private const int AcceptanceSamplesPerRound = 64;
    private const int AcceptanceLoraSteps = 200;
    private const double AcceptanceLoraLearningRate = 1e-2;

    [Fact]
    public async Task A_cancelled_run_stops_within_seconds_and_keeps_what_it_has()
    {
        var runId = $"e2e-cancel-{Guid.NewGuid():N}"[..20];
        await Runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = SmallSpec(maxRounds: 10, maxSamples: 0) }, deadline: Deadline(60));
        var deadline = DateTime.UtcNow.AddMinutes(6);
        Run run;
        do
        {
            await Task.Delay(1000);
            run = await Runs.GetRunAsync(new GetRunRequest { RunId = runId }, deadline: Deadline());
        }
        while (run.Round < 1 && DateTime.UtcNow < deadline);
        Assert.True(run.Round >= 1, "the run never reached round 1");

        var started = DateTime.UtcNow;
        var cancelled = await Runs.CancelRunAsync(new CancelRunRequest { RunId = runId, Reason = "e2e" }, deadline: Deadline(30));
        var took = DateTime.UtcNow - started;
        output.WriteLine($"CancelRun answered after {took.TotalSeconds:0.0} s in state {cancelled.State}");

        Assert.True(took < TimeSpan.FromSeconds(15), $"CancelRun took {took.TotalSeconds:0.0} s");
        Assert.Equal(RunState.Cancelled, cancelled.State);
        Assert.NotEmpty(cancelled.Curve);
    }

    [Fact]
    public async Task A_bad_spec_is_rejected_naming_the_field()
    {
        var spec = SmallSpec(maxRounds: 2, maxSamples: 32);
        spec.SamplesPerRound = 0;

        var error = await Assert.ThrowsAsync<RpcException>(() => Runs.StartRunAsync(new StartRunRequest { Spec = spec }, deadline: Deadline()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("spec.samples_per_round", error.Status.Detail);
    }

    private async Task<List<RunEvent>> WatchUntilFinishedAsync(string runId, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var events = new List<RunEvent>();
        using var call = Runs.WatchRun(new WatchRunRequest { RunId = runId, FromStart = true }, cancellationToken: cts.Token);
        await foreach (var e in call.ResponseStream.ReadAllAsync(cts.Token))
        {
            events.Add(e);
            if (e.KindCase == RunEvent.KindOneofCase.RunFinished)
            {
                break;
            }
        }
        return events;
    }

    private static DateTime Deadline(int seconds = 15) => DateTime.UtcNow.AddSeconds(seconds);
}
