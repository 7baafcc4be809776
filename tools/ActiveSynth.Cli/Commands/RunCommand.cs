using System.ComponentModel;
using ActiveSynth.Cli.Local;
using ActiveSynth.Contracts.V1;
using Grpc.Net.Client;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;
using ActiveSynth.Student;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActiveSynth.Cli.Commands;

/// <summary>`activesynth run --local`: one run in this process, progress on the console, state in the artifact directory.</summary>
public sealed class RunCommand : AsyncCommand<RunCommand.Settings>
{
    public sealed class Settings : LocalRunSettings
    {
        [CommandOption("--local")]
        [Description("Run in this process (no services, no Redis).")]
        public bool Local { get; init; }

        [CommandOption("--strategy <NAME>")]
        [Description("Selection strategy. Default loss-high.")]
        public string Strategy { get; init; } = "loss-high";

        [CommandOption("--seed <N>")]
        [Description("Master random seed. Default 0.")]
        public long Seed { get; init; }

        [CommandOption("--server <URL>")]
        [Description("Run on a deployment: the Selection service's gRPC address (see the dashboard), or ACTIVESYNTH_SERVER.")]
        public string? Server { get; init; } = Environment.GetEnvironmentVariable("ACTIVESYNTH_SERVER");

        [CommandOption("--run-id <ID>")]
        [Description("Run id (folder under <artifacts>/runs). Default <strategy>-seed<seed>.")]
        public string? RunId { get; init; }

        public override ValidationResult Validate()
        {
            if (Local == !string.IsNullOrWhiteSpace(Server))
            {
                return ValidationResult.Error("choose where to run: --local (this process) or --server <url> (a deployment)");
            }
            if (!Local && !(Uri.TryCreate(Server, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            {
                return ValidationResult.Error("--server: an http(s) address of the Selection service is required");
            }
            return !StrategyRegistry.Contains(Strategy)
                ? ValidationResult.Error($"--strategy: unknown '{Strategy}'; expected one of {string.Join(", ", StrategyRegistry.Names)}")
                : base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!settings.Local)
        {
            using var channel = GrpcChannel.ForAddress(settings.Server!);
            var client = new Runs.RunsClient(channel);
            var run = await client.StartRunAsync(new StartRunRequest { RunId = settings.RunId ?? "", Spec = RemoteSpecs.From(settings) }, cancellationToken: cancellationToken);
            AnsiConsole.MarkupLineInterpolated($"started run [bold]{run.Id}[/] on {settings.Server}");
            return await WatchCommand.FollowAsync(client, run.Id, cancellationToken);
        }
        var config = LocalConfigs.From(settings, settings.RunId ?? $"{settings.Strategy}-seed{settings.Seed}", settings.Strategy, settings.Seed);
        var runner = new LocalRunner(new ArtifactStore(settings.Artifacts), new StudentDeviceOptions { Threads = settings.Threads });
        var state = await runner.RunAsync(config, new ConsoleProgress(AnsiConsole.Console, stages: true), cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"[bold]{state.RunId}[/] {state.Status} ({state.StopReason}): final accuracy {state.Curve[^1].Accuracy:P1}, {state.Spent.Samples} samples, {state.Spent.TeacherTokens:N0} teacher tokens, state in {Path.Combine(settings.Artifacts, "runs", state.RunId)}");
        return state.Status == RunStatus.Completed ? 0 : 1;
    }
}
