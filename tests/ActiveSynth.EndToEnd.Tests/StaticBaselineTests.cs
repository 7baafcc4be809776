using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Student.Checkpoints;
using Grpc.Core;

namespace ActiveSynth.EndToEnd.Tests;

/// <summary>
/// The <c>static</c> baseline through the deployment, on the second benchmark: StartRun accepts it, every selection (generation
/// round) comes before the first training round, every training round trains on all the samples, and the base is pretrained on
/// the benchmark's own families (the preset's <c>base_families</c>).
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class StaticBaselineTests(AppHostFixture fixture)
{
    private Runs.RunsClient Runs => new(fixture.Channel("selection"));

    [Fact]
    public async Task Static_generates_every_round_first_then_trains_on_all_of_it_with_the_benchmarks_own_base()
    {
        var spec = EmbeddedRecipe.Spec("static", randomSeed: 6201, samplesPerRound: 8, maxRounds: 2, seedPoolSize: 24, testSetSize: 12);
        spec.Training.Steps = 5;
        BenchmarkPresets.Apply(BenchmarkPresets.ArithLogic, spec);
        var runId = $"static-{Guid.NewGuid():N}"[..20];

        await Runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = spec }, deadline: DateTime.UtcNow.AddSeconds(60));
        var events = new List<string>();
        using (var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5)))
        {
            using var call = Runs.WatchRun(new WatchRunRequest { RunId = runId, FromStart = true }, cancellationToken: cts.Token);
            await foreach (var e in call.ResponseStream.ReadAllAsync(cts.Token))
            {
                if (e.KindCase is RunEvent.KindOneofCase.SelectionMade or RunEvent.KindOneofCase.CurvePoint)
                {
                    events.Add($"{e.KindCase} {e.Round}");
                }
                if (e.KindCase == RunEvent.KindOneofCase.RunFinished)
                {
                    break;
                }
            }
        }
        var run = await Runs.GetRunAsync(new GetRunRequest { RunId = runId, View = RunView.Full }, deadline: DateTime.UtcNow.AddSeconds(15));

        Assert.True(run.State == RunState.Completed, $"static ended {run.State}: {run.FailureReason}");
        Assert.Equal(["CurvePoint 0", "SelectionMade 1", "SelectionMade 2", "CurvePoint 1", "CurvePoint 2"], events);
        Assert.Equal([0, 1, 2], run.Curve.Select(p => p.Round));
        // Both training rounds see every kept sample (more than the first round's 8; duplicates of the small bool d1 cell are dropped).
        Assert.InRange(run.Usage.SamplesKept, 9, 16);
        Assert.All(run.Curve.Skip(1), p => Assert.Equal((run.Usage.SamplesKept, run.Usage.TeacherTokens), (p.SamplesSoFar, p.TeacherTokensSoFar)));
        var baseCheckpoint = run.Checkpoints.Single(c => c.IsBase);
        var properties = await new CheckpointStore(new Core.Artifacts.ArtifactStore(fixture.ArtifactsRoot)).ReadPropertiesAsync(baseCheckpoint.Path);
        Assert.Equal("step10,bool", properties["families"]);
    }
}
