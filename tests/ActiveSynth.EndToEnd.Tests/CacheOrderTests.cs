using ActiveSynth.Cli.Local;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using Grpc.Core;
using Xunit.Abstractions;

namespace ActiveSynth.EndToEnd.Tests;

/// <summary>
/// A comparison never depends on the response cache or on which run went first. <c>random</c> and <c>static</c> with one seed pick
/// the same seeds, so the teacher calls of a <c>static</c> run that comes after <c>random</c> are answered from the cache. They
/// still charge the budget what they cost when paid for, so <c>static</c> keeps exactly the samples it keeps alone: here, alone is
/// the same spec in this process with a fresh cache (the engines are the same bit for bit, <see cref="OneEngineTests"/>).
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class CacheOrderTests(AppHostFixture fixture, ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"activesynth-cache-order-{Guid.NewGuid():N}");

    private Runs.RunsClient Runs => new(fixture.Channel("selection"));

    [Fact]
    public async Task Static_after_random_with_the_same_seed_keeps_exactly_the_samples_it_keeps_alone()
    {
        // A seed no other test of the suite runs, a token budget that ends both runs within a few rounds.
        var randomSpec = Spec("random");
        var staticSpec = Spec("static");
        var suffix = Guid.NewGuid().ToString("N")[..8];

        var random = await RunToEndAsync($"order-random-{suffix}", randomSpec);
        var afterRandom = await RunToEndAsync($"order-static-{suffix}", staticSpec);

        using var engine = new InProcessEngine(_dir, [new("Student:Threads", "1"), new("Training:BaseSteps", "150")]);
        var alone = await engine.RunAsync($"order-static-{suffix}", staticSpec, new NoProgress(), CancellationToken.None);
        Assert.Equal(RunStatus.Completed, alone.Status);

        output.WriteLine($"random: {random.Usage}");
        output.WriteLine($"static after random: {afterRandom.Usage}");
        output.WriteLine($"static alone: kept {alone.Spent.Samples}, {alone.Spent.TeacherTokens} tokens, billed {alone.Billed}");
        // The scenario happened: random paid, and static was answered from what random paid for.
        Assert.True(random.Usage.BilledTeacherTokens > 0, "random billed nothing: the cache held its calls before it ran");
        Assert.True(afterRandom.Usage.CacheHits > 0, "static after random had no cache hit: the runs did not share calls");
        Assert.True(afterRandom.Usage.BilledTeacherTokens < afterRandom.Usage.TeacherTokens);
        // ...and it made no difference to static: the same budget course, the same samples, the same curve.
        Assert.Contains("teacher_tokens", afterRandom.StopReason, StringComparison.Ordinal);
        Assert.Equal((alone.Spent.Samples, alone.Spent.TeacherTokens, alone.Spent.TeacherCalls),
            (afterRandom.Usage.SamplesKept, afterRandom.Usage.TeacherTokens, afterRandom.Usage.TeacherCalls));
        Assert.Equal(alone.Curve.Select(p => (p.Round, p.Samples, p.TeacherTokens, p.Accuracy)),
            afterRandom.Curve.Select(p => (p.Round, p.SamplesSoFar, p.TeacherTokensSoFar, p.Accuracy)));
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(_dir, "runs", alone.RunId, "dataset.jsonl")),
            await File.ReadAllTextAsync(Path.Combine(fixture.ArtifactsRoot, "runs", afterRandom.Id, "dataset.jsonl")));
    }

    private static RunSpec Spec(string strategy)
    {
        var spec = EmbeddedRecipe.Spec(strategy, randomSeed: 7411, samplesPerRound: 8, maxRounds: 0, seedPoolSize: 40, testSetSize: 12);
        spec.Training.Steps = 5;
        spec.Budget = new Budget { MaxTeacherTokens = 5_000 };
        return spec;
    }

    private async Task<Run> RunToEndAsync(string runId, RunSpec spec)
    {
        await Runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = spec }, deadline: DateTime.UtcNow.AddSeconds(60));
        using (var cts = new CancellationTokenSource(TimeSpan.FromMinutes(6)))
        {
            using var call = Runs.WatchRun(new WatchRunRequest { RunId = runId, FromStart = true }, cancellationToken: cts.Token);
            await foreach (var e in call.ResponseStream.ReadAllAsync(cts.Token))
            {
                if (e.KindCase == RunEvent.KindOneofCase.RunFinished)
                {
                    break;
                }
            }
        }
        var run = await Runs.GetRunAsync(new GetRunRequest { RunId = runId }, deadline: DateTime.UtcNow.AddSeconds(15));
        Assert.True(run.State == RunState.Completed, $"{runId} ended {run.State}: {run.FailureReason}");
        return run;
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private sealed class NoProgress : IRunObserver
    {
        public Task SaveAsync(LoopState state, CancellationToken ct) => Task.CompletedTask;

        public Task StageCompletedAsync(LoopState state, LoopStage stage, TimeSpan duration, CancellationToken ct) => Task.CompletedTask;

        public Task CurvePointAsync(LoopState state, CurvePoint point, CancellationToken ct) => Task.CompletedTask;
    }
}
