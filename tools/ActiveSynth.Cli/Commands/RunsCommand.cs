using ActiveSynth.Contracts.V1;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActiveSynth.Cli.Commands;

/// <summary>`activesynth runs`: the Selection service's runs, newest first.</summary>
public sealed class RunsCommand : AsyncCommand<ServerSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ServerSettings settings, CancellationToken cancellationToken)
    {
        var client = settings.Connect(out var channel);
        using (channel)
        {
            // The full view: the basic one has no curve, so no accuracy to show.
            var reply = await client.ListRunsAsync(new ListRunsRequest { View = RunView.Full }, cancellationToken: cancellationToken);
            var table = new Table().AddColumns("run", "state", "round", "samples", "teacher tokens", "billed tokens", "cache hits", "accuracy", "stop reason");
            foreach (var run in reply.Runs)
            {
                var accuracy = run.Curve.Count > 0 ? run.Curve[^1].Accuracy.ToString("P1", System.Globalization.CultureInfo.InvariantCulture) : "–";
                table.AddRow(Markup.Escape(run.Id), run.State.ToString(), run.Round.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    run.Usage?.SamplesKept.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "0",
                    run.Usage?.TeacherTokens.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "0",
                    run.Usage?.BilledTeacherTokens.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "0",
                    run.Usage?.CacheHits.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "0", accuracy, Markup.Escape(run.StopReason));
            }
            AnsiConsole.Write(table);
        }
        return 0;
    }
}
