using ActiveSynth.Core.Loop;
using Spectre.Console;

namespace ActiveSynth.Cli.Local;

/// <summary>One console line per stage and per learning-curve point; quiet enough for many runs side by side.</summary>
public sealed class ConsoleProgress(IAnsiConsole console, bool stages) : IRunObserver
{
    public Task SaveAsync(LoopState state, CancellationToken ct) => Task.CompletedTask;

    public Task StageCompletedAsync(LoopState state, LoopStage stage, TimeSpan duration, CancellationToken ct)
    {
        if (stages)
        {
            console.MarkupLineInterpolated($"[grey]{state.RunId} round {state.Round}: {stage} {duration.TotalSeconds:0.0}s[/]");
        }
        return Task.CompletedTask;
    }

    public Task CurvePointAsync(LoopState state, CurvePoint point, CancellationToken ct)
    {
        console.MarkupLineInterpolated(
            $"{state.RunId} round [bold]{point.Round}[/]: accuracy [green]{point.Accuracy:P1}[/], samples {point.Samples}, teacher tokens {point.TeacherTokens:N0}");
        return Task.CompletedTask;
    }
}
