using ActiveSynth.Contracts.Security;
using ActiveSynth.Cli.Commands;
using ActiveSynth.Cli.Compare;
using ActiveSynth.Cli.PaperTable;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using Grpc.Core;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActiveSynth.Cli;

/// <summary>The command tree and the exit-code contract: 0 success, 1 a run failed, 2 bad arguments.</summary>
public static class CliApp
{
    public const int BadArguments = 2;

    /// <summary>The deployment refused this caller: no key, an unknown key, or a key whose role may not do this.</summary>
    public const int NotAllowed = 3;

    /// <summary>
    /// Runs one command. <paramref name="environment"/> replaces the process's environment variables where the command line looks
    /// for a deployment (<see cref="CliEnvironment"/>); null: the process's.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole? console = null, Func<string, string?>? environment = null)
    {
        if (environment is not null)
        {
            CliEnvironment.Use(environment); // this call's flow only: RunAsync is async, so the caller's value is restored on return
        }
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("activesynth");
            config.PropagateExceptions();
            config.UseStrictParsing();
            if (console is not null)
            {
                config.ConfigureConsole(console);
                AnsiConsole.Console = console; // commands write through AnsiConsole too
            }
            config.AddCommand<RunCommand>("run").WithDescription("Run the active-generation loop in this process (--local).");
            config.AddCommand<CompareCommand>("compare").WithDescription("Run strategies × seeds at the same budget and write a comparison report (Markdown, JSON, PNG).");
            config.AddCommand<PaperTableCommand>("paper-table").WithDescription("Every strategy × seed × generation mode × benchmark at one budget: the paper's table (Markdown, JSON, PNG); resumable.");
            config.AddBranch<ServerSettings>("runs", runs =>
            {
                runs.SetDescription("List the runs of a Selection service (runs delete <run>: delete one, keys and artifacts).");
                runs.SetDefaultCommand<RunsCommand>();
                runs.AddCommand<RunsDeleteCommand>("delete").WithDescription("Delete a run on a Selection service: its Redis keys and its artifacts (--force: a running one, cancelled first).");
            });
            config.AddCommand<WatchCommand>("watch").WithDescription("Follow a run's progress on a Selection service until it finishes.");
            config.AddCommand<CancelCommand>("cancel").WithDescription("Cancel a run on a Selection service; it keeps what it has.");
            config.AddCommand<ExportCommand>("export").WithDescription("Export a run's kept samples as GSM8K JSONL or Parquet.");
            config.AddBranch("seeds", seeds =>
            {
                seeds.SetDescription("Seed sets.");
                seeds.AddCommand<SeedsImportCommand>("import").WithDescription("Check a seed or test file (GSM8K JSONL or Parquet), report every bad line or row, and store it in the artifact directory.");
            });
            config.AddBranch("students", students =>
            {
                students.SetDescription("Students.");
                students.AddCommand<StudentsPretrainCommand>("pretrain").WithDescription("Pretrain a small Hugging Face-format base (Qwen2 or Llama architecture, byte-level tokenizer) on a benchmark's families and write it as a checkpoint directory for --hf-model.");
            });
            config.AddCommand<ConformanceCommand>("conformance").WithDescription("Check a running worker of one kind (teacher, scoring, training) through Redis streams alone.");
            config.AddCommand<ReportCommand>("report").WithDescription("Re-render a comparison's or a paper table's Markdown and PNG from its JSON.");
        });
        try
        {
            return await app.RunAsync(args);
        }
        catch (Exception ex) when (ex is CommandAppException or SpecFileException or SpecValidationException)
        {
            (console ?? AnsiConsole.Console).MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return BadArguments;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument)
        {
            // A deployment refused the spec: its message names the field.
            (console ?? AnsiConsole.Console).MarkupLineInterpolated($"[red]error:[/] {ex.Status.Detail}");
            return BadArguments;
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
        {
            (console ?? AnsiConsole.Console).MarkupLineInterpolated(
                $"[red]error:[/] the deployment refused this call ({ex.StatusCode}): {ex.Status.Detail} Set {DeploymentCredential.KeyVariable} to its operator key (and {DeploymentCredential.CaVariable} to its CA certificate when that is not a system-trusted one).");
            return NotAllowed;
        }
    }
}
