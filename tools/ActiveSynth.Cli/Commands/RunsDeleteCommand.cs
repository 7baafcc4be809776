using System.ComponentModel;
using System.Text.RegularExpressions;
using ActiveSynth.Contracts.V1;
using Grpc.Core;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActiveSynth.Cli.Commands;

/// <summary>
/// `activesynth runs delete &lt;run&gt; [--force]`: deletes a run on a Selection service: its Redis keys and its artifacts
/// (<c>runs/&lt;run&gt;/</c>: report, dataset, checkpoints). A pending or running run is refused unless --force, which cancels it
/// first. Exit codes: 0 deleted, 1 refused (running), 2 bad arguments or no such run.
/// </summary>
public sealed partial class RunsDeleteCommand : AsyncCommand<RunsDeleteCommand.Settings>
{
    public sealed partial class Settings : ServerSettings
    {
        [CommandArgument(0, "<RUN>")]
        [Description("Run id.")]
        public string RunId { get; init; } = "";

        [CommandOption("--force")]
        [Description("Delete a pending or running run too: it is cancelled first.")]
        public bool Force { get; init; }

        public override ValidationResult Validate()
        {
            var server = base.Validate();
            if (!server.Successful)
            {
                return server;
            }
            return RunIdPattern().IsMatch(RunId)
                ? ValidationResult.Success()
                : ValidationResult.Error($"RUN: '{RunId}' is not a run id (1 to 63 characters of [a-z0-9-], starting with a letter or digit)");
        }

        [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
        private static partial Regex RunIdPattern();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var client = settings.Connect(out var channel);
        using (channel)
        {
            try
            {
                var reply = await client.DeleteRunAsync(new DeleteRunRequest { RunId = settings.RunId, Force = settings.Force }, cancellationToken: cancellationToken);
                AnsiConsole.MarkupLineInterpolated($"{reply.RunId}: deleted ({reply.KeysDeleted} Redis keys, {reply.FilesDeleted} artifact files)");
                return 0;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {ex.Status.Detail}");
                return CliApp.BadArguments;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.FailedPrecondition or StatusCode.Unavailable)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {ex.Status.Detail}");
                return 1;
            }
        }
    }
}
