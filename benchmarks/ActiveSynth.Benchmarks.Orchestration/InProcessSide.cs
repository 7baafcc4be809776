using ActiveSynth.Cli.Local;
using ActiveSynth.Core.Loop;

namespace ActiveSynth.Benchmarks.Orchestration;

/// <summary>The spec through the in-process engine (same handlers, in-process transport): the yardstick.</summary>
internal static class InProcessSide
{
    public static async Task<SideResult> RunAsync(string artifactsRoot)
    {
        using var engine = new InProcessEngine(artifactsRoot, [new("Student:Threads", "1")]);
        await engine.RunAsync("warmup", Spec.Proto(rounds: 1), Quiet.Instance, CancellationToken.None);
        var (state, seconds) = await Timing.MeasureAsync(() => engine.RunAsync("timed", Spec.Proto(Spec.Rounds), Quiet.Instance, CancellationToken.None));
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
