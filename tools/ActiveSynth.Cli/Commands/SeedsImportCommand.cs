using System.ComponentModel;
using System.Text.RegularExpressions;
using ActiveSynth.Cli.Seeds;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Datasets;
using ActiveSynth.Core.Tasks;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActiveSynth.Cli.Commands;

/// <summary>
/// `activesynth seeds import &lt;file&gt;`: checks a seed or test file in GSM8K JSONL or Parquet (the Hugging Face datasets
/// layout), reports every bad line or row in one go (up to 100, then a count; exit code 2, nothing written), and otherwise
/// stores it as JSONL in the artifact directory (<c>seeds/&lt;name&gt;.jsonl</c>), where <c>TaskSpec.seed_file</c>,
/// <c>--seed-file &lt;name&gt;</c> and <c>--test-file &lt;name&gt;</c> find it.
/// </summary>
public sealed partial class SeedsImportCommand : AsyncCommand<SeedsImportCommand.Settings>
{
    public sealed partial class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("GSM8K JSONL (one {\"question\": ..., \"answer\": \"... #### final\"} per line) or Parquet with question and answer columns (Hugging Face datasets layout).")]
        public string File { get; init; } = "";

        [CommandOption("--family <NAME>")]
        [Description("Family (grader) of the imported items: gsm8k (numeric answers), text, or a procedural family. Default gsm8k.")]
        public string Family { get; init; } = TaskFamilyRegistry.ImportedFamily;

        [CommandOption("--question-field <NAME>")]
        [Description("The field (JSONL) or column (Parquet) holding the question. Default question.")]
        public string QuestionField { get; init; } = "question";

        [CommandOption("--answer-field <NAME>")]
        [Description("The field or column holding the answer (reasoning, then '#### <answer>'). Default answer.")]
        public string AnswerField { get; init; } = "answer";

        [CommandOption("--name <NAME>")]
        [Description("Name of the stored set (seeds/<name>.jsonl; what --seed-file and --test-file take). Default: the file's name without extension.")]
        public string? Name { get; init; }

        [CommandOption("--artifacts <DIR>")]
        [Description("The artifact directory (the deployment's Artifacts:Root). Default .artifacts/local.")]
        public string Artifacts { get; init; } = ".artifacts/local";

        /// <summary>The stored set's name: --name, else the file's name without extension, its other dots made '-'.</summary>
        public string SetName => Name ?? Path.GetFileNameWithoutExtension(File).Replace('.', '-');

        public override ValidationResult Validate()
        {
            if (!System.IO.File.Exists(File))
            {
                return ValidationResult.Error($"<FILE>: '{File}' does not exist");
            }
            if (!TaskFamilyRegistry.Default.IsKnown(Family))
            {
                return ValidationResult.Error($"--family: unknown family '{Family}'; known: {string.Join(", ", TaskFamilyRegistry.Default.AllNames)}");
            }
            if (string.IsNullOrWhiteSpace(QuestionField) || string.IsNullOrWhiteSpace(AnswerField) || QuestionField == AnswerField)
            {
                return ValidationResult.Error("--question-field and --answer-field must be two different, non-empty names");
            }
            return SetNamePattern().IsMatch(SetName)
                ? ValidationResult.Success()
                : ValidationResult.Error($"--name: '{SetName}' is not a set name (letters, digits, '_' and '-', at most 100); give one with --name");
        }

        [GeneratedRegex("^[A-Za-z0-9_-]{1,100}$")]
        private static partial Regex SetNamePattern();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = new Gsm8kImportOptions
        {
            Family = settings.Family, IdPrefix = "seed", QuestionField = settings.QuestionField, AnswerField = settings.AnswerField,
        };
        IReadOnlyList<TaskItem> items;
        try
        {
            items = await SeedFiles.ImportAsync(settings.File, options, cancellationToken);
        }
        catch (Gsm8kFormatException ex)
        {
            ReportProblems(settings.File, ex);
            return CliApp.BadArguments;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] <FILE> '{settings.File}': {ex.Message}; nothing stored");
            return CliApp.BadArguments;
        }
        if (items.Count == 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {settings.File}: holds no items (an empty seed set cannot start a run); nothing stored");
            return CliApp.BadArguments;
        }
        var relative = SeedSets.PathOf(settings.SetName);
        ArtifactStore store;
        string sha;
        try
        {
            // The store refuses a seeds/ that is a symbolic link out of the artifact directory, and writes atomically.
            store = new ArtifactStore(settings.Artifacts);
            sha = await store.WriteAsync(relative, (stream, _) => { Gsm8kJsonl.Export(items, stream, includeMetadata: true); return Task.CompletedTask; }, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] --artifacts '{settings.Artifacts}': {ex.Message.Split(" (Parameter", 2)[0]}; nothing stored");
            return 1;
        }
        AnsiConsole.MarkupLineInterpolated(
            $"imported {items.Count} seeds (family {settings.Family}) into {store.Resolve(relative)} (sha256 {sha}); use --seed-file {settings.SetName} (or --test-file), or task.seed_file = \"{relative}\"");
        return 0;
    }

    /// <summary>One line per problem, each naming the file and its line or row, so an editor or grep can jump to it.</summary>
    private static void ReportProblems(string file, Gsm8kFormatException ex)
    {
        if (ex.ProblemCount == 1)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {ex.Message}; nothing stored");
            return;
        }
        // "5 bad lines" when every problem is on a line; "2 problems" when one concerns the whole file (a missing column).
        var what = ex.Problems.All(p => p.Number > 0) ? $"bad {ex.Unit}s" : "problems";
        AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {file}: {ex.ProblemCount} {what}; nothing stored");
        foreach (var problem in ex.Problems)
        {
            AnsiConsole.MarkupLineInterpolated($"  {file}: {ex.Describe(problem)}");
        }
        if (ex.MoreProblems > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"  ... and {ex.MoreProblems} more bad {ex.Unit}s (the first {ex.Problems.Count} are listed)");
        }
    }
}
