using ActiveSynth.Cli.Local;
using ActiveSynth.Core.Loop;

namespace ActiveSynth.Benchmarks.Orchestration;

/// <summary>The spec through the in-process engine (the same handlers, the in-process transport): the yardstick.</summary>
internal sealed class InProcessSide(string artifactsRoot) : IDisposable
{
    private readonly InProcessEngine _engine = new(artifactsRoot, [new("Student:Threads", "1")]);

    public async Task<SideResult> RunAsync(string runId, int rounds)
    {
        var (state, seconds) = await Timing.MeasureAsync(() => _engine.RunAsync(runId, Spec.Proto(rounds), Quiet.Instance, CancellationToken.None));
        if (state.Status != RunStatus.Completed)
        {
            throw new InvalidOperationException($"in-process run ended {state.Status}: {state.FailureReason}");
        }
        return new SideResult(seconds, [.. state.Curve.Select(p => p.Accuracy)], state.Spent.Samples, state.Spent.TeacherTokens, state.StageSeconds);
    }

    public void Dispose() => _engine.Dispose();

    private sealed class Quiet : IRunObserver
    {
        public static readonly Quiet Instance = new();

        public Task SaveAsync(LoopState state, CancellationToken ct) => Task.CompletedTask;

        public Task StageCompletedAsync(LoopState state, LoopStage stage, TimeSpan duration, CancellationToken ct) => Task.CompletedTask;

        public Task CurvePointAsync(LoopState state, CurvePoint point, CancellationToken ct) => Task.CompletedTask;
    }
}
