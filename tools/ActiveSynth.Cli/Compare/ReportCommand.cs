using System.ComponentModel;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActiveSynth.Cli.Compare;

/// <summary>`activesynth report &lt;comparison.json&gt;`: writes the Markdown and PNG next to the JSON again.</summary>
public sealed class ReportCommand : AsyncCommand<ReportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<JSON>")]
        [Description("A comparison JSON written by `activesynth compare`.")]
        public string Json { get; init; } = "";

        public override ValidationResult Validate() =>
            File.Exists(Json) ? ValidationResult.Success() : ValidationResult.Error($"<JSON>: file '{Json}' does not exist");
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var report = JsonSerializer.Deserialize<ComparisonReport>(await File.ReadAllTextAsync(settings.Json, cancellationToken))
            ?? throw new InvalidDataException($"{settings.Json} holds no comparison report");
        var basePath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(settings.Json))!, Path.GetFileNameWithoutExtension(settings.Json));
        await File.WriteAllTextAsync(basePath + ".md", report.ToMarkdown(), cancellationToken);
        ComparisonPlot.Write(report, basePath + ".png");
        AnsiConsole.MarkupLineInterpolated($"wrote {basePath}.md and .png");
        return 0;
    }
}
