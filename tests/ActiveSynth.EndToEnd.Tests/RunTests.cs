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
        // A small Qwen2 base made by `activesynth students pretrain`'s code, under the deployment's artifact root, pretrained
        // on copy items only part of the way: the run's two LoRA rounds on the same family must raise its accuracy.
        var modelPath = $"models/tiny-qwen-{Guid.NewGuid():N}"[..24];
        var copy = new[] { TaskFamilyRegistry.Default.Get("copy") };
        double pretrainLoss;
        using (var made = HfBasePretrainer.PretrainTo(Path.Combine(fixture.ArtifactsRoot, modelPath), AcceptanceBase, copy))
        {
            pretrainLoss = made.Report.FinalLoss;
        }
        var spec = SmallSpec(maxRounds: 2, maxSamples: 0);
        spec.Task.Families.Clear();
        spec.Task.Families.Add("copy");
        spec.Task.MinDifficulty = 1;
        spec.Task.MaxDifficulty = 1;
        spec.SamplesPerRound = AcceptanceSamplesPerRound;
        spec.Task.TestSetSize = 36;
        spec.Training.ReplayFraction = 0;
        spec.Training.LearningRate = AcceptanceLoraLearningRate;
        spec.Training.Steps = AcceptanceLoraSteps;
        spec.Training.BatchSize = 16;
        spec.Student = new StudentSpec { Kind = StudentKind.Hf, Path = modelPath, MaxNewTokens = 12 };
        spec.Student.Options.Add("lora_rank", "8");
        spec.Student.Options.Add("lora_alpha", "16");
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
    /// The acceptance base: 2 layers of width 64, copy at difficulty 1, stopped while it still gets some items wrong
    /// (calibrated on 1 thread: see the test's output for the curve).
    /// </summary>
    private static readonly HfBaseSpec AcceptanceBase = new()
    {
        HiddenSize = 64, Layers = 2, Heads = 4, KeyValueHeads = 2, IntermediateSize = 128, MaxPositions = 64,
        Families = ["copy"], Steps = 600, BatchSize = 16, LearningRate = 5e-3, Seed = 1,
    };

    private const int AcceptanceSamplesPerRound = 16;
    private const int AcceptanceLoraSteps = 20;
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
