using ActiveSynth.Cli.Local;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Loop;
using ActiveSynth.Student;

namespace ActiveSynth.Benchmarks.Orchestration;

/// <summary>The spec through lib/ in this process: the yardstick.</summary>
internal static class InProcessSide
{
    public static async Task<SideResult> RunAsync(string artifactsRoot)
    {
        var runner = new LocalRunner(new ArtifactStore(artifactsRoot), new StudentDeviceOptions { Threads = 1 });
        await runner.RunAsync(Spec.Local("warmup", rounds: 1), Quiet.Instance, CancellationToken.None);
        var (state, seconds) = await Timing.MeasureAsync(() => runner.RunAsync(Spec.Local("timed", Spec.Rounds), Quiet.Instance, CancellationToken.None));
        if (state.Status != RunStatus.Completed)
        {
            throw new InvalidOperationException($"in-process run ended {state.Status}: {state.FailureReason}");
        }
        return new SideResult(seconds, state.Curve[^1].Accuracy, state.Spent.Samples, state.Spent.TeacherTokens, state.StageSeconds);
    }

    private sealed class Quiet : IRunObserver
    {
        public static readonly Quiet Instance = new();

        public Task SaveAsync(RunState state, CancellationToken ct) => Task.CompletedTask;

        public Task StageCompletedAsync(RunState state, LoopStage stage, TimeSpan duration, CancellationToken ct) => Task.CompletedTask;

        public Task CurvePointAsync(RunState state, CurvePoint point, CancellationToken ct) => Task.CompletedTask;
    }
}
