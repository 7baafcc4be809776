using System.ComponentModel;
using ActiveSynth.Contracts.V1;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActiveSynth.Cli.Commands;

/// <summary>`activesynth cancel &lt;run&gt;`: stops a run; it keeps what it has (report included) and can be resumed.</summary>
public sealed class CancelCommand : AsyncCommand<CancelCommand.Settings>
{
    public sealed class Settings : ServerSettings
    {
        [CommandArgument(0, "<RUN>")]
        [Description("Run id.")]
        public string RunId { get; init; } = "";

        [CommandOption("--reason <TEXT>")]
        [Description("Why; recorded as the stop reason.")]
        public string Reason { get; init; } = "cancelled from the CLI";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var client = settings.Connect(out var channel);
        using (channel)
        {
            var run = await client.CancelRunAsync(new CancelRunRequest { RunId = settings.RunId, Reason = settings.Reason }, cancellationToken: cancellationToken);
            AnsiConsole.MarkupLineInterpolated($"{run.Id}: {run.State} after round {run.Round} ({run.StopReason})");
        }
        return 0;
    }
}
