using System.ComponentModel;
using ActiveSynth.Contracts.V1;
using Grpc.Core;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActiveSynth.Cli.Commands;

/// <summary>`activesynth watch &lt;run&gt;`: live progress (rounds, stages, accuracy, budget) until the run finishes.</summary>
public sealed class WatchCommand : AsyncCommand<WatchCommand.Settings>
{
    public sealed class Settings : ServerSettings
    {
        [CommandArgument(0, "<RUN>")]
        [Description("Run id.")]
        public string RunId { get; init; } = "";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var client = settings.Connect(out var channel);
        using (channel)
        {
            return await FollowAsync(client, settings.RunId, cancellationToken);
        }
    }

    /// <summary>Prints a run's events until it finishes; 0 when it completed.</summary>
    public static async Task<int> FollowAsync(Runs.RunsClient client, string runId, CancellationToken cancellationToken)
    {
        using var call = client.WatchRun(new WatchRunRequest { RunId = runId, FromStart = true }, cancellationToken: cancellationToken);
        await foreach (var e in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            switch (e.KindCase)
            {
                case RunEvent.KindOneofCase.RoundStarted:
                    AnsiConsole.MarkupLineInterpolated($"[bold]round {e.Round}[/]");
                    break;
                case RunEvent.KindOneofCase.StageCompleted:
                    AnsiConsole.MarkupLineInterpolated($"  {e.StageCompleted.Stage} done in {e.StageCompleted.Duration?.ToTimeSpan().TotalSeconds ?? 0:0.0} s");
                    break;
                case RunEvent.KindOneofCase.CurvePoint:
                    AnsiConsole.MarkupLineInterpolated($"  accuracy [green]{e.CurvePoint.Accuracy:P1}[/] after {e.CurvePoint.SamplesSoFar} samples, {e.CurvePoint.TeacherTokensSoFar:N0} teacher tokens");
                    break;
                case RunEvent.KindOneofCase.BudgetUsage:
                    AnsiConsole.MarkupLineInterpolated($"  budget: {e.BudgetUsage.TeacherTokens:N0} teacher tokens used, {e.BudgetUsage.BilledTeacherTokens:N0} billed, {e.BudgetUsage.CacheHits} cache hits");
                    break;
                case RunEvent.KindOneofCase.RunFinished:
                    AnsiConsole.MarkupLineInterpolated($"[bold]{e.RunFinished.State}[/] ({e.RunFinished.StopReason}{e.RunFinished.FailureReason}); report {e.RunFinished.Report?.Path}");
                    if (e.RunFinished.Usage is { } usage)
                    {
                        AnsiConsole.MarkupLineInterpolated($"  budget used: {usage.SamplesKept} samples, {usage.TeacherTokens:N0} teacher tokens, ${usage.CostUsd:0.0000}; billed: {usage.BilledTeacherCalls} calls, {usage.BilledTeacherTokens:N0} tokens, ${usage.BilledCostUsd:0.0000}; {usage.CacheHits} cache hits");
                    }
                    return e.RunFinished.State == RunState.Completed ? 0 : 1;
            }
        }
        return 1;
    }
}
