using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using ActiveSynth.Cli.PaperTable;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActiveSynth.Cli.Compare;

/// <summary>`activesynth report &lt;comparison.json&gt;`: writes the Markdown and PNG next to the JSON again.</summary>
public sealed class ReportCommand : AsyncCommand<ReportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<JSON>")]
        [Description("A comparison JSON written by `activesynth compare` or `activesynth paper-table`.")]
        public string Json { get; init; } = "";

        public override ValidationResult Validate() =>
            File.Exists(Json) ? ValidationResult.Success() : ValidationResult.Error($"<JSON>: file '{Json}' does not exist");
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var json = await File.ReadAllTextAsync(settings.Json, cancellationToken);
        var basePath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(settings.Json))!, Path.GetFileNameWithoutExtension(settings.Json));
        if (JsonNode.Parse(json)?["kind"]?.GetValue<string>() == PaperTableReport.KindName)
        {
            // Everything but the runs and the configuration is computed again, so the files check the figures, not only the layout.
            await PaperTableFiles.WriteAsync(PaperTableReport.Read(json).Rebuild(), basePath, cancellationToken);
            AnsiConsole.MarkupLineInterpolated($"wrote {basePath}.json (recomputed from its runs), .md and .png");
            return 0;
        }
        var report = JsonSerializer.Deserialize<ComparisonReport>(json)
            ?? throw new InvalidDataException($"{settings.Json} holds no comparison report");
        await File.WriteAllTextAsync(basePath + ".md", report.ToMarkdown(), cancellationToken);
        ComparisonPlot.Write(report, basePath + ".png");
        AnsiConsole.MarkupLineInterpolated($"wrote {basePath}.md and .png");
        return 0;
    }
}
