using System.ComponentModel;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Datasets;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActiveSynth.Cli.Commands;

/// <summary>
/// `activesynth seeds import &lt;file.jsonl&gt;`: checks a GSM8K-format seed file (errors name the line; nothing is
/// written unless every line is valid) and stores it in the artifact directory, where `TaskSpec.seed_file` finds it.
/// </summary>
public sealed class SeedsImportCommand : AsyncCommand<SeedsImportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("GSM8K JSONL: one {\"question\": ..., \"answer\": \"... #### final\"} per line.")]
        public string File { get; init; } = "";

        [CommandOption("--family <NAME>")]
        [Description("Family (grader) of the imported items. Default gsm8k.")]
        public string Family { get; init; } = "gsm8k";

        [CommandOption("--artifacts <DIR>")]
        [Description("The artifact directory (the deployment's Artifacts:Root). Default .artifacts/local.")]
        public string Artifacts { get; init; } = ".artifacts/local";

        public override ValidationResult Validate() =>
            System.IO.File.Exists(File) ? ValidationResult.Success() : ValidationResult.Error($"<FILE>: '{File}' does not exist");
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        IReadOnlyList<Core.Tasks.TaskItem> items;
        try
        {
            items = Gsm8kJsonl.ImportFile(settings.File, new Gsm8kImportOptions { Family = settings.Family, IdPrefix = "seed" });
        }
        catch (Exception ex) when (ex is Gsm8kFormatException or IOException or UnauthorizedAccessException)
        {
            // Gsm8kFormatException's message starts with the file and the line; the others say what the system refused.
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {(ex is Gsm8kFormatException ? ex.Message : $"<FILE> '{settings.File}': {ex.Message}")}");
            return 1;
        }
        if (items.Count == 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {settings.File}: holds no items (an empty seed set cannot start a run); nothing stored");
            return 1;
        }
        var relative = $"seeds/{Path.GetFileNameWithoutExtension(settings.File)}.jsonl";
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
        AnsiConsole.MarkupLineInterpolated($"imported {items.Count} seeds into {store.Resolve(relative)} (sha256 {sha}); use task.seed_file = \"{relative}\"");
        return 0;
    }
}
