using System.ComponentModel;
using System.Text.RegularExpressions;
using System.Globalization;
using System.Text.Json;
using ActiveSynth.Cli.Commands;
using ActiveSynth.Contracts.V1;
using Google.Protobuf;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActiveSynth.Cli.Compare;

/// <summary>
/// `activesynth compare`: every strategy × seed at the same budget, on a deployment (<c>--server</c>: runs through the Runs API,
/// served by the deployment's worker replicas) or in-process (each run in its own process), <c>--parallel</c> runs at a time,
/// then a report as Markdown, JSON and PNG learning curves that names the engine that produced it.
/// </summary>
public sealed partial class CompareCommand : AsyncCommand<CompareCommand.Settings>
{
    public sealed class Settings : LocalRunSettings
    {
        [CommandOption("--strategies <LIST>")]
        [Description("Strategies, comma-separated; the first is the baseline of the paired differences. Default random,loss-high,loss-high-ans,loss-low.")]
        public string Strategies { get; init; } = "random,loss-high,loss-high-ans,loss-low";

        [CommandOption("--seeds <N>")]
        [Description("Paired seeds (0..N-1): the same seed gives every strategy the same pool, test set and base. Default 3.")]
        public int Seeds { get; init; } = 3;

        [CommandOption("--parallel <N>")]
        [Description("Runs at once (each uses --threads libtorch threads). Default 2.")]
        public int Parallel { get; init; } = 2;

        [CommandOption("--out <DIR>")]
        [Description("Where the report goes. Default compare-results.")]
        public string Out { get; init; } = "compare-results";

        [CommandOption("--name <NAME>")]
        [Description("Report file name without extension, and (with --server) the prefix of the runs' ids. Default strategies.")]
        public string Name { get; init; } = "strategies";

        [CommandOption("--server [URL]")]
        [Description("Run on a deployment: the Selection service's gRPC address; alone, ACTIVESYNTH_SERVER or else the local deployment a running AppHost recorded. Default: in this machine's processes.")]
        public FlagValue<string>? ServerOption { get; init; }

        /// <summary>The deployment's address (<see cref="ServerAddress.ForFlag"/>), once validated; null: in this machine's processes.</summary>
        public string? Server { get; private set; }

        public IReadOnlyList<string> StrategyList => [.. Strategies.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

        public override ValidationResult Validate()
        {
            var unknown = StrategyList.Where(s => !StrategyRegistry.Contains(s)).ToList();
            if (StrategyList.Count == 0 || unknown.Count > 0)
            {
                return ValidationResult.Error($"--strategies: unknown {string.Join(", ", unknown.Select(u => $"'{u}'"))}; expected some of {string.Join(", ", StrategyRegistry.Names)}");
            }
            if (StrategyList.Distinct().Count() != StrategyList.Count)
            {
                return ValidationResult.Error("--strategies: a strategy is listed twice");
            }
            if (Seeds is < 1 or > 100 || Parallel is < 1 or > 64)
            {
                return ValidationResult.Error("--seeds must be 1..100 and --parallel 1..64");
            }
            var server = ServerAddress.ForFlag(ServerOption, CliEnvironment.Variables);
            if (server.Error is { } error)
            {
                return ValidationResult.Error(error);
            }
            Server = server.Address;
            if (Server is not null && !RunIdPart().IsMatch(Name))
            {
                return ValidationResult.Error("--name: with --server it prefixes run ids, so only a-z, 0-9 and '-' (at most 24 characters)");
            }
            var result = base.Validate();
            return result.Successful && Server is null && (LocalTaskFileProblem() ?? LocalTeacherProblem()) is { } missing ? ValidationResult.Error(missing) : result;
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var plan = Enumerable.Range(0, settings.Seeds)
            .SelectMany(seed => settings.StrategyList.Select(strategy => (Strategy: strategy, Seed: (long)seed)))
            .ToList();
        var where = settings.Server is null ? $"in-process, {settings.Parallel} processes at a time; completed runs in {settings.Artifacts} are reused"
            : $"on {settings.Server}, {settings.Parallel} runs at a time; completed runs named cmp-{settings.Name}-* are reused";
        AnsiConsole.MarkupLineInterpolated($"compare: {plan.Count} runs ({settings.StrategyList.Count} strategies × {settings.Seeds} seeds), {where}");
        using var channel = settings.Server is null ? null : CliEnvironment.OpenChannel(settings.Server);
        var client = channel is null ? null : new Runs.RunsClient(channel);

        using var gate = new SemaphoreSlim(settings.Parallel);
        var tasks = plan.Select(async run =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                var spec = CliSpecs.Build(settings, run.Strategy, run.Seed);
                spec.Labels["compare"] = settings.Name;
                var state = client is null
                    ? await ChildRun.RunAsync(settings, $"cmp-{run.Strategy}-seed{run.Seed}", spec, cancellationToken)
                    : await ServerRun.RunAsync(client, $"cmp-{settings.Name}-{run.Strategy}-s{run.Seed}", spec, cancellationToken);
                var last = state.Curve.Count > 0 ? state.Curve[^1].Accuracy : double.NaN;
                AnsiConsole.MarkupLineInterpolated($"{state.RunId}: {state.Status}, {state.Curve.Count - 1} rounds, final accuracy {last:P1}, {state.Spent.TeacherTokens:N0} teacher tokens");
                return (run.Strategy, run.Seed, state);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        var runs = await Task.WhenAll(tasks);
        var failed = runs.Where(r => r.state.Status != RunStatus.Completed).ToList();
        if (failed.Count > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{failed.Count} runs did not complete: {string.Join("; ", failed.Select(f => $"{f.state.RunId}: {f.state.FailureReason}"))}[/]");
            return 1;
        }

        var runSeconds = runs.Sum(r => r.state.Elapsed.TotalSeconds);
        var report = ComparisonReport.Build(Describe(settings, runSeconds), settings.StrategyList[0], runs);
        Directory.CreateDirectory(settings.Out);
        var basePath = Path.Combine(settings.Out, settings.Name);
        await File.WriteAllTextAsync(basePath + ".json", JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
        await File.WriteAllTextAsync(basePath + ".md", report.ToMarkdown(), cancellationToken);
        ComparisonPlot.Write(report, basePath + ".png");
        AnsiConsole.Write(new Markup(Markup.Escape(report.ToMarkdown().Split("\n\nMean accuracy")[0]) + "\n"));
        AnsiConsole.MarkupLineInterpolated($"wrote {basePath}.json, .md and .png");
        return 0;
    }

    /// <summary>The comparison's configuration: the spec every run shares (strategy and seed aside), and the engine that ran it.</summary>
    private static Dictionary<string, string> Describe(Settings s, double runSeconds)
    {
        var spec = CliSpecs.Build(s, s.StrategyList[0], 0);
        var task = spec.Task ?? new TaskSpec();
        return new()
        {
            ["engine"] = s.Server is null ? "in-process" : "services",
            ["server"] = s.Server ?? "",
            ["spec"] = JsonFormatter.Default.Format(spec),
            ["families"] = string.Join(",", task.Families),
            ["seed_pool"] = task.SeedPoolSize.ToString(CultureInfo.InvariantCulture),
            ["test_set"] = task.TestSetSize.ToString(CultureInfo.InvariantCulture),
            ["seed_file"] = task.SeedFile,
            ["test_file"] = task.TestFile,
            ["samples_per_round"] = spec.SamplesPerRound.ToString(CultureInfo.InvariantCulture),
            ["max_rounds"] = spec.MaxRounds.ToString(CultureInfo.InvariantCulture),
            ["budget"] = spec.Budget?.ToString() ?? "none",
            ["base_steps"] = s.BaseSteps.ToString(CultureInfo.InvariantCulture),
            ["teacher"] = spec.Teacher?.ToString() ?? "embedded",
            ["student"] = spec.Student?.ToString() ?? "embedded",
            ["run_seconds_total"] = runSeconds.ToString("0", CultureInfo.InvariantCulture),
            ["commit"] = Environment.GetEnvironmentVariable("ACTIVESYNTH_COMMIT") ?? "",
            ["parallel_runs"] = s.Parallel.ToString(CultureInfo.InvariantCulture),
            ["threads_per_run"] = s.Threads.ToString(CultureInfo.InvariantCulture),
        };
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,23}$")]
    private static partial Regex RunIdPart();
}
