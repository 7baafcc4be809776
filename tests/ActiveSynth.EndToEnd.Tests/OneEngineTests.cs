using ActiveSynth.Cli.Local;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using Grpc.Core;
using Xunit.Abstractions;

namespace ActiveSynth.EndToEnd.Tests;

/// <summary>
/// One engine, two transports: the same spec through the real AppHost (Redis streams, four services) and in this process (the
/// same handlers over the in-process transport, its own artifact root, so its own base pretraining) gives the same picks, the
/// same samples and the same accuracy every round, bit for bit: every service and the in-process engine run libtorch on 1 thread.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class OneEngineTests(AppHostFixture fixture, ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"activesynth-one-engine-{Guid.NewGuid():N}");

    private Runs.RunsClient Runs => new(fixture.Channel("selection"));

    [Fact]
    public async Task A_spec_gives_the_same_picks_samples_and_curve_in_process_and_through_the_services()
    {
        var spec = EmbeddedRecipe.Spec("loss-high", randomSeed: 7919, samplesPerRound: 16, maxRounds: 2, seedPoolSize: 60, testSetSize: 36);
        spec.Training.Steps = 10;
        var runId = $"one-engine-{Guid.NewGuid():N}"[..20];
        // A seed no other test of the suite runs: the deployment's teacher cache (Redis) would otherwise answer calls another
        // test paid for, and the usage (teacher tokens) of the two sides would differ for that reason alone.

        await Runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = spec }, deadline: DateTime.UtcNow.AddSeconds(60));
        var servicePicks = await PicksUntilFinishedAsync(runId, TimeSpan.FromMinutes(8));
        var service = await Runs.GetRunAsync(new GetRunRequest { RunId = runId }, deadline: DateTime.UtcNow.AddSeconds(15));
        Assert.Equal(RunState.Completed, service.State);

        // The deployment's Training:BaseSteps (AppHostFixture), so the in-process base is pretrained the same way, from scratch.
        using var engine = new InProcessEngine(_dir, [new("Student:Threads", "1"), new("Training:BaseSteps", "150")]);
        var picks = new PickRecorder();
        var local = await engine.RunAsync(runId, spec, picks, CancellationToken.None);
        Assert.Equal(RunStatus.Completed, local.Status);

        output.WriteLine($"services:   {string.Join(" ", service.Curve.Select(p => $"r{p.Round}={p.Accuracy:P2}/{p.TeacherTokensSoFar}"))}");
        output.WriteLine($"in-process: {string.Join(" ", local.Curve.Select(p => $"r{p.Round}={p.Accuracy:P2}/{p.TeacherTokens}"))}");
        Assert.Equal([1, 2], servicePicks.Keys.Order());
        foreach (var (round, ids) in servicePicks)
        {
            Assert.Equal(ids, picks.ByRound[round]);
        }
        Assert.Equal(service.Curve.Select(p => (p.Round, p.Accuracy, p.SamplesSoFar, p.TeacherTokensSoFar, p.HasTrainLoss ? p.TrainLoss : double.NaN)),
            local.Curve.Select(p => (p.Round, p.Accuracy, p.Samples, p.TeacherTokens, p.TrainLoss)));
        Assert.True(local.Curve[^1].Samples == 32, "the run kept fewer samples than its budget: the comparison would prove less");

        // The same report writer on both sides: the datasets are the same bytes, the lineage differs only in where it lives.
        var serviceFolder = Path.Combine(fixture.ArtifactsRoot, "runs", runId);
        var localFolder = Path.Combine(_dir, "runs", runId);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(serviceFolder, "dataset.jsonl")), await File.ReadAllTextAsync(Path.Combine(localFolder, "dataset.jsonl")));
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(serviceFolder, "lineage.jsonl")), await File.ReadAllTextAsync(Path.Combine(localFolder, "lineage.jsonl")));
    }

    /// <summary>The picks of each round, in rank order, from the run's SelectionMade events.</summary>
    private async Task<Dictionary<int, List<string>>> PicksUntilFinishedAsync(string runId, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var picks = new Dictionary<int, List<string>>();
        using var call = Runs.WatchRun(new WatchRunRequest { RunId = runId, FromStart = true }, cancellationToken: cts.Token);
        await foreach (var e in call.ResponseStream.ReadAllAsync(cts.Token))
        {
            if (e.KindCase == RunEvent.KindOneofCase.SelectionMade)
            {
                picks[e.Round] = [.. e.SelectionMade.Picks.OrderBy(p => p.Rank).Select(p => p.ItemId)];
            }
            if (e.KindCase == RunEvent.KindOneofCase.RunFinished)
            {
                break;
            }
        }
        return picks;
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>The picks of each round as the loop made them (the in-process side's SelectionMade).</summary>
    private sealed class PickRecorder : IRunObserver
    {
        public Dictionary<int, List<string>> ByRound { get; } = [];

        public Task SaveAsync(LoopState state, CancellationToken ct) => Task.CompletedTask;

        public Task StageCompletedAsync(LoopState state, LoopStage stage, TimeSpan duration, CancellationToken ct)
        {
            if (stage == LoopStage.Score)
            {
                ByRound[state.Round] = [.. state.Picks.Select(p => p.Id)];
            }
            return Task.CompletedTask;
        }

        public Task CurvePointAsync(LoopState state, CurvePoint point, CancellationToken ct) => Task.CompletedTask;
    }
}
