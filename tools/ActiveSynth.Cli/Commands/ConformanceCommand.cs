using System.ComponentModel;
using ActiveSynth.Conformance;
using Spectre.Console;
using Spectre.Console.Cli;
using StackExchange.Redis;

namespace ActiveSynth.Cli.Commands;

/// <summary>
/// `activesynth conformance --kind teacher`: checks a running worker of one kind through Redis streams alone (the same kit the
/// test suite runs against our own workers). The Redis connection string comes from <c>ConnectionStrings__redis</c>, never from
/// the command line (it holds a password). Exit code 0 when every check passes, 1 otherwise.
/// </summary>
public sealed class ConformanceCommand : AsyncCommand<ConformanceCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--kind <KIND>")]
        [Description("The worker kind to check: teacher, scoring or training.")]
        public string Kind { get; init; } = "";

        [CommandOption("--artifacts <DIR>")]
        [Description("The artifact root the worker reads (the kit writes a checkpoint and a test set there for scoring and training).")]
        public string Artifacts { get; init; } = "artifacts";

        [CommandOption("--teacher <KIND>")]
        [Description("For --kind teacher: the teacher the requests ask for, embedded (default) or openai (the worker's own endpoint).")]
        public string Teacher { get; init; } = "embedded";

        [CommandOption("--pid <PID>")]
        [Description("The worker's process id: adds the SIGTERM check, run last (the worker is stopped by it).")]
        public int? Pid { get; init; }

        [CommandOption("--claim-idle-time <SECONDS>")]
        [Description("The worker's Messaging:Consumers:<kind>:ClaimIdleTime, in seconds (default 30): what a stopped worker hands back must be idle this long.")]
        public double ClaimIdleSeconds { get; init; } = 30;

        [CommandOption("--timeout <SECONDS>")]
        [Description("How long one check waits for the worker (default 60; a training worker pretrains a base first).")]
        public double TimeoutSeconds { get; init; } = 60;

        public override ValidationResult Validate()
        {
            if (Kind is not ("teacher" or "scoring" or "training"))
            {
                return ValidationResult.Error($"--kind must be teacher, scoring or training, got '{Kind}'");
            }
            if (Teacher is not ("embedded" or "openai"))
            {
                return ValidationResult.Error($"--teacher must be embedded or openai, got '{Teacher}'");
            }
            if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("ConnectionStrings__redis")))
            {
                return ValidationResult.Error("ConnectionStrings__redis is not set: the Redis the worker uses (host:port,password=...)");
            }
            return TimeoutSeconds > 0 && ClaimIdleSeconds > 0 ? ValidationResult.Success() : ValidationResult.Error("--timeout and --claim-idle-time must be positive");
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Environment.GetEnvironmentVariable("ConnectionStrings__redis")!);
        var kit = new ConformanceKit(redis, new ConformanceOptions
        {
            Kind = settings.Kind,
            ArtifactsRoot = Path.GetFullPath(settings.Artifacts),
            WorkerPid = settings.Pid,
            TeacherKind = settings.Teacher,
            ClaimIdleTime = TimeSpan.FromSeconds(settings.ClaimIdleSeconds),
            Timeout = TimeSpan.FromSeconds(settings.TimeoutSeconds),
        });
        var checks = await kit.RunAsync(c => AnsiConsole.MarkupLineInterpolated(
            $"{(c.Passed ? "[green]pass[/]" : "[red]FAIL[/]")} {c.Name}: {c.Detail}"), cancellationToken);
        var failed = checks.Count(c => !c.Passed);
        AnsiConsole.MarkupLineInterpolated($"{settings.Kind}: {checks.Count - failed} of {checks.Count} checks passed");
        return failed == 0 ? 0 : 1;
    }
}
