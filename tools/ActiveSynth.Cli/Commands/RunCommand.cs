using System.ComponentModel;
using ActiveSynth.Cli.Local;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActiveSynth.Cli.Commands;

/// <summary>
/// `activesynth run`: one run of a spec (the embedded recipe, a <c>--spec</c> file, options on top), in this process
/// (<c>--local</c>) or on a deployment (<c>--server</c>); the same spec is the same experiment either way.
/// </summary>
public sealed class RunCommand : AsyncCommand<RunCommand.Settings>
{
    public sealed class Settings : LocalRunSettings
    {
        [CommandOption("--local")]
        [Description("Run in this process (no services, no Redis), with the same engine and handlers as a deployment.")]
        public bool Local { get; init; }

        [CommandOption("--strategy <NAME>")]
        [Description("Selection strategy. Default: the spec's, else loss-high.")]
        public string? Strategy { get; init; }

        [CommandOption("--seed <N>")]
        [Description("Master random seed. Default: the spec's, else 0.")]
        public long? Seed { get; init; }

        [CommandOption("--server [URL]")]
        [Description("Run on a deployment: the Selection service's gRPC address; alone, ACTIVESYNTH_SERVER or else the local deployment a running AppHost recorded. Without --local or --server: ACTIVESYNTH_SERVER.")]
        public FlagValue<string>? ServerOption { get; init; }

        /// <summary>The deployment's address, once validated; null with --local.</summary>
        public string? Server { get; private set; }

        [CommandOption("--run-id <ID>")]
        [Description("Run id (folder under <artifacts>/runs). Default <strategy>-seed<seed>.")]
        public string? RunId { get; init; }

        public override ValidationResult Validate()
        {
            const string Choose = "choose where to run: --local (this process) or --server [url] (a deployment; --server alone: ACTIVESYNTH_SERVER, else the local deployment)";
            var serverGiven = ServerOption is { IsSet: true };
            if (Local && serverGiven)
            {
                return ValidationResult.Error(Choose);
            }
            if (!Local)
            {
                // --server [url] as compare's; without it, ACTIVESYNTH_SERVER only: a plain `run` never goes to a deployment by surprise.
                var server = serverGiven
                    ? ServerAddress.ForFlag(ServerOption, CliEnvironment.Variables)
                    : ServerAddress.Resolve(null, CliEnvironment.Variables, useLocalDeployment: false);
                if (!server.Found)
                {
                    return ValidationResult.Error(server.Error ?? Choose);
                }
                Server = server.Address;
            }
            if (Strategy is not null && !StrategyRegistry.Contains(Strategy))
            {
                return ValidationResult.Error($"--strategy: unknown '{Strategy}'; expected one of {string.Join(", ", StrategyRegistry.Names)}");
            }
            var result = base.Validate();
            return result.Successful && Local && (LocalTaskFileProblem() ?? LocalTeacherProblem()) is { } missing ? ValidationResult.Error(missing) : result;
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var spec = CliSpecs.Build(settings, settings.Strategy, settings.Seed);
        var runId = settings.RunId ?? $"{spec.Strategy?.Name}-seed{spec.RandomSeed}";
        if (!settings.Local)
        {
            using var channel = CliEnvironment.OpenChannel(settings.Server!);
            var client = new Runs.RunsClient(channel);
            var run = await client.StartRunAsync(new StartRunRequest { RunId = settings.RunId ?? "", Spec = spec }, cancellationToken: cancellationToken);
            AnsiConsole.MarkupLineInterpolated($"started run [bold]{run.Id}[/] on {settings.Server}");
            return await WatchCommand.FollowAsync(client, run.Id, cancellationToken);
        }
        using var engine = new InProcessEngine(settings.Artifacts, settings.EngineSettings());
        var state = await engine.RunAsync(runId, spec, new ConsoleProgress(AnsiConsole.Console, stages: true), cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"[bold]{state.RunId}[/] {state.Status} ({state.StopReason}): final accuracy {state.Curve[^1].Accuracy:P1}, {state.Spent.Samples} samples, {state.Spent.TeacherTokens:N0} teacher tokens, report in {Path.Combine(settings.Artifacts, "runs", state.RunId)}");
        return state.Status == RunStatus.Completed ? 0 : 1;
    }
}
