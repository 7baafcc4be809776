using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ActiveSynth.Cli.Commands;
using ActiveSynth.Cli.Compare;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using Google.Protobuf;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActiveSynth.Cli.PaperTable;

/// <summary>
/// `activesynth paper-table`: every strategy × paired seed × generation mode × benchmark at one budget, on a deployment
/// (<c>--server</c>) or in-process, then <c>&lt;name&gt;.{json,md,png}</c>. Resumable: each finished run is appended to a cache
/// (and the runs of an earlier <c>&lt;name&gt;.json</c> in <c>--out</c> count too); a rerun skips every cell whose run id and spec
/// match a finished record, and a deployment answers StartRun of a run it already holds with that run.
/// </summary>
public sealed partial class PaperTableCommand : AsyncCommand<PaperTableCommand.Settings>
{
    public sealed class Settings : LocalRunSettings
    {
        [CommandOption("--strategies <LIST>")]
        [Description("Strategies, comma-separated, or 'all' (every registered one; the default). random, the baseline of the paired differences, is always run.")]
        public string Strategies { get; init; } = "all";

        [CommandOption("--benchmarks <LIST>")]
        [Description("Benchmarks, comma-separated (see run --benchmark). Default strings,arith-logic,letters.")]
        public string Benchmarks { get; init; } = "strings,arith-logic,letters";

        [CommandOption("--modes <LIST>")]
        [Description("Generation modes, comma-separated: seed, overgenerate (k from --overgenerate-factor, default 4). Default seed,overgenerate.")]
        public string Modes { get; init; } = "seed,overgenerate";

        [CommandOption("--overgenerate-samples-per-round <M>")]
        [Description("Samples kept per round in overgenerate mode. Default: --samples-per-round divided by the factor, so a round of either mode asks the teacher for the same number of samples, and at one budget both modes run about as many rounds (the same training steps).")]
        public int? OvergenerateSamplesPerRound { get; init; }

        [CommandOption("--seeds <N>")]
        [Description("Paired seeds (0..N-1). Default 5. Runs end at the budget (--rounds 0) unless --rounds says otherwise; each pays for its own teacher calls (the response cache is off).")]
        public int Seeds { get; init; } = 5;

        [CommandOption("--parallel <N>")]
        [Description("Runs at once. Default 2.")]
        public int Parallel { get; init; } = 2;

        [CommandOption("--out <DIR>")]
        [Description("Where <name>.json, .md and .png go. Default paper-table-results.")]
        public string Out { get; init; } = "paper-table-results";

        [CommandOption("--name <NAME>")]
        [Description("Report file name and prefix of the runs' ids. Default paper-table.")]
        public string Name { get; init; } = "paper-table";

        [CommandOption("--cache <FILE>")]
        [Description("JSON lines of finished runs, appended as they finish; a rerun skips them. Default .artifacts/paper-table/<name>.runs.jsonl.")]
        public string? Cache { get; init; }

        [CommandOption("--server [URL]")]
        [Description("Run on a deployment: the Selection service's gRPC address; alone, ACTIVESYNTH_SERVER or else the local deployment a running AppHost recorded. Default: in this machine's processes.")]
        public FlagValue<string>? ServerOption { get; init; }

        /// <summary>The deployment's address (<see cref="ServerAddress.ForFlag"/>), once validated; null: in this machine's processes.</summary>
        public string? Server { get; private set; }

        public IReadOnlyList<string> StrategyList => Strategies == "all" ? StrategyRegistry.Names
            : [.. new[] { "random" }.Concat(Split(Strategies)).Distinct(StringComparer.Ordinal)];

        public IReadOnlyList<string> BenchmarkList => Split(Benchmarks);

        public IReadOnlyList<string> ModeList => Split(Modes);

        public string CachePath => Cache ?? Path.Combine(".artifacts", "paper-table", $"{Name}.runs.jsonl");

        public override ValidationResult Validate()
        {
            var unknown = StrategyList.Where(s => !StrategyRegistry.Contains(s)).ToList();
            if (unknown.Count > 0)
            {
                return ValidationResult.Error($"--strategies: unknown {string.Join(", ", unknown.Select(u => $"'{u}'"))}; expected 'all' or some of {string.Join(", ", StrategyRegistry.Names)}");
            }
            if (BenchmarkList.Count == 0 || BenchmarkList.FirstOrDefault(b => BenchmarkPresets.Find(b) is null) is { } benchmark)
            {
                return ValidationResult.Error($"--benchmarks: unknown '{BenchmarkList.FirstOrDefault(b => BenchmarkPresets.Find(b) is null)}'; expected some of {string.Join(", ", BenchmarkPresets.Names)}");
            }
            if (ModeList.Count == 0 || ModeList.Any(m => m is not (PaperTableCell.SeedMode or PaperTableCell.OvergenerateMode)))
            {
                return ValidationResult.Error("--modes: expected seed, overgenerate or both");
            }
            if (Benchmark is not null || Mode is not null || Families is not null)
            {
                return ValidationResult.Error("paper-table takes --benchmarks and --modes (lists), not --benchmark, --mode or --families");
            }
            if (OvergenerateSamplesPerRound is < 1)
            {
                return ValidationResult.Error($"--overgenerate-samples-per-round must be at least 1, got {OvergenerateSamplesPerRound}");
            }
            if (Seeds is < 1 or > 100 || Parallel is < 1 or > 64)
            {
                return ValidationResult.Error("--seeds must be 1..100 and --parallel 1..64");
            }
            if (string.IsNullOrWhiteSpace(Budget))
            {
                return ValidationResult.Error("--budget: the table compares at one budget; give one (e.g. tokens=140000)");
            }
            var server = ServerAddress.ForFlag(ServerOption, CliEnvironment.Variables);
            if (server.Error is { } error)
            {
                return ValidationResult.Error(error);
            }
            Server = server.Address;
            if (!NamePattern().IsMatch(Name))
            {
                return ValidationResult.Error("--name: it prefixes run ids, so only a-z, 0-9 and '-' (at most 24 characters)");
            }
            return base.Validate();
        }

        private static IReadOnlyList<string> Split(string list) => [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var loadBefore = LoadAverage();
        var cells = Enumerable.Range(0, settings.Seeds).SelectMany(seed => settings.BenchmarkList.SelectMany(b => settings.ModeList.SelectMany(m =>
            settings.StrategyList.Select(s => new PaperTableCell(b, m, s, seed))))).ToList();
        var cache = new PaperTableCache(settings.CachePath);
        var reportPath = Path.Combine(settings.Out, settings.Name + ".json");
        var known = await cache.LoadAsync(File.Exists(reportPath) ? reportPath : null, cancellationToken);
        using var channel = settings.Server is null ? null : CliEnvironment.OpenChannel(settings.Server);
        var client = channel is null ? null : new Runs.RunsClient(channel);
        AnsiConsole.MarkupLineInterpolated(
            $"paper-table: {cells.Count} runs ({settings.StrategyList.Count} strategies × {settings.Seeds} seeds × {settings.ModeList.Count} modes × {settings.BenchmarkList.Count} benchmarks), {(client is null ? "in-process" : $"on {settings.Server}")}, {settings.Parallel} at a time; {known.Count} finished runs in {settings.CachePath}");

        using var gate = new SemaphoreSlim(settings.Parallel);
        var failures = new List<string>();
        var tasks = cells.Select(async cell =>
        {
            var spec = Spec(settings, cell);
            var runId = cell.RunId(settings.Name);
            var sha = Sha256(spec);
            if (known.TryGetValue(runId, out var done) && done.SpecSha256 == sha)
            {
                return done;
            }
            await gate.WaitAsync(cancellationToken);
            try
            {
                var state = client is null
                    ? await ChildRun.RunAsync(settings, runId, spec, cancellationToken)
                    : await ServerRun.RunAsync(client, runId, spec, cancellationToken);
                if (state.Status != RunStatus.Completed)
                {
                    lock (failures)
                    {
                        failures.Add($"{runId}: {state.Status} {state.FailureReason}");
                    }
                    return null;
                }
                var run = PaperTableRun.From(cell, runId, sha, state);
                await cache.AppendAsync(run, cancellationToken);
                AnsiConsole.MarkupLineInterpolated($"{runId}: final {run.Final:P1}, AUC {run.Auc:P1}, {run.TeacherTokens:N0} teacher tokens, {run.WallSeconds:0} s");
                return run;
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        var runs = (await Task.WhenAll(tasks)).OfType<PaperTableRun>().ToList();
        if (failures.Count > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{failures.Count} runs did not complete: {string.Join("; ", failures)}[/]");
            return 1;
        }

        var config = Describe(settings, cells[0], runs, started, clock.Elapsed, loadBefore);
        var benchmarks = settings.BenchmarkList.ToDictionary(b => b, b => string.Join(",", BenchmarkPresets.Find(b)!.Families), StringComparer.Ordinal);
        var report = PaperTableReport.Build(config, "random", benchmarks, settings.ModeList, settings.StrategyList, runs);
        await PaperTableFiles.WriteAsync(report, Path.Combine(settings.Out, settings.Name), cancellationToken);
        AnsiConsole.WriteLine(string.Join("\n", report.Claims.Select(c => c.Text)));
        AnsiConsole.MarkupLineInterpolated($"wrote {Path.Combine(settings.Out, settings.Name)}.json, .md and .png");
        return 0;
    }

    /// <summary>The cell's spec: the options' spec with the cell's benchmark, mode, strategy and seed.</summary>
    internal static RunSpec Spec(Settings settings, PaperTableCell cell)
    {
        var spec = CliSpecs.Build(settings, cell.Strategy, cell.Seed);
        if (settings.Rounds is null)
        {
            spec.MaxRounds = 0; // the budget ends every run, not a round count
        }
        BenchmarkPresets.Apply(BenchmarkPresets.Find(cell.Benchmark)!, spec);
        CliSpecs.ApplyMode(spec, cell.Mode, settings.OvergenerateFactor);
        if (spec.Mode == ActiveSynth.Contracts.V1.GenerationMode.Overgenerate)
        {
            // m/k kept of m candidates: each round costs the teacher what a seed-mode round does, so the modes differ in how
            // the kept samples are chosen, not in how many rounds the budget buys.
            spec.SamplesPerRound = settings.OvergenerateSamplesPerRound ?? Math.Max(1, spec.SamplesPerRound / spec.OvergenerateFactor);
        }
        spec.Labels["paper-table"] = settings.Name;
        spec.Name = $"{cell.Strategy} seed {cell.Seed} ({cell.Benchmark}, {cell.Mode})";
        return spec;
    }

    private static string Sha256(RunSpec spec) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(spec))))[..16];

    /// <summary>The table's configuration: the engine, the spec every cell shares (benchmark, mode, strategy and seed aside), the build and the machine.</summary>
    private static Dictionary<string, string> Describe(Settings s, PaperTableCell first, IReadOnlyList<PaperTableRun> runs, DateTimeOffset started, TimeSpan elapsed, string loadBefore)
    {
        var spec = Spec(s, first with { Mode = PaperTableCell.SeedMode });
        var budget = s.ParsedBudget;
        return new()
        {
            ["engine"] = s.Server is null ? "in-process" : "services",
            ["server"] = s.Server ?? "",
            ["deployment"] = Environment.GetEnvironmentVariable("ACTIVESYNTH_DEPLOYMENT") ?? "",
            ["commit"] = Environment.GetEnvironmentVariable("ACTIVESYNTH_COMMIT") ?? "",
            ["budget"] = s.Budget ?? "",
            ["teacher_cache"] = "on: a reply served from the response cache charges the budget the usage it was made with, so runs sharing a seed (random and static; every strategy's first overgenerate round) spend the same budget whichever ran first; billed tokens and cache hits are recorded per run",
            ["all_runs_within_budget"] = runs.All(r => (budget.MaxTeacherTokens == 0 || r.TeacherTokens <= budget.MaxTeacherTokens)
                && (budget.MaxSamples == 0 || r.Samples <= budget.MaxSamples)) ? "true" : "false",
            ["samples_per_round"] = spec.SamplesPerRound.ToString(CultureInfo.InvariantCulture),
            ["overgenerate_samples_per_round"] = Spec(s, first with { Mode = PaperTableCell.OvergenerateMode }).SamplesPerRound.ToString(CultureInfo.InvariantCulture),
            ["overgenerate_factor"] = (s.OvergenerateFactor ?? 4).ToString(CultureInfo.InvariantCulture),
            ["seed_pool"] = spec.Task.SeedPoolSize.ToString(CultureInfo.InvariantCulture),
            ["test_set"] = spec.Task.TestSetSize.ToString(CultureInfo.InvariantCulture),
            ["train_steps_per_round"] = spec.Training?.Steps is > 0 and var steps ? steps.ToString(CultureInfo.InvariantCulture) : "service default (40)",
            ["base_steps"] = s.Server is null ? s.BaseSteps.ToString(CultureInfo.InvariantCulture) : "the deployment's Training:BaseSteps",
            ["spec"] = JsonFormatter.Default.Format(spec),
            ["parallel_runs"] = s.Parallel.ToString(CultureInfo.InvariantCulture),
            ["threads_per_run"] = s.Server is null ? s.Threads.ToString(CultureInfo.InvariantCulture) : "the deployment's Student:Threads",
            ["machine"] = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, {Environment.MachineName}",
            ["load_average_start"] = loadBefore,
            ["load_average_end"] = LoadAverage(),
            ["started_at"] = started.ToString("O", CultureInfo.InvariantCulture),
            ["wall_seconds_this_invocation"] = elapsed.TotalSeconds.ToString("0", CultureInfo.InvariantCulture),
            ["run_seconds_sum"] = runs.Sum(r => r.WallSeconds).ToString("0", CultureInfo.InvariantCulture),
        };
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,23}$")]
    private static partial Regex NamePattern();
}
