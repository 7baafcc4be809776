using System.ComponentModel;
using System.Text.Json;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Datasets;
using ActiveSynth.Core.Loop;
using Parquet.Serialization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActiveSynth.Cli.Commands;

/// <summary>
/// `activesynth export &lt;run&gt;`: a run's kept samples as GSM8K JSONL or Parquet, from its folder in the artifact
/// directory: the run state (local runs; with lineage) or the service's dataset.jsonl.
/// </summary>
public sealed class ExportCommand : AsyncCommand<ExportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<RUN>")]
        [Description("Run id (a folder under <artifacts>/runs).")]
        public string RunId { get; init; } = "";

        [CommandOption("--format <FORMAT>")]
        [Description("jsonl (GSM8K lines with id, family, difficulty) or parquet (with lineage columns). Default jsonl.")]
        public string Format { get; init; } = "jsonl";

        [CommandOption("--artifacts <DIR>")]
        [Description("The artifact directory. Default .artifacts/local.")]
        public string Artifacts { get; init; } = ".artifacts/local";

        [CommandOption("--out <FILE>")]
        [Description("Output file. Default <run>.<format>.")]
        public string? Out { get; init; }

        public string RunDirectory => Path.Combine(Artifacts, "runs", RunId);

        public override ValidationResult Validate()
        {
            if (Format is not ("jsonl" or "parquet"))
            {
                return ValidationResult.Error($"--format: '{Format}' is not jsonl or parquet");
            }
            if (RunId.Length == 0 || RunId is "." or ".." || RunId.IndexOfAny(['/', '\\', '\0']) >= 0 || RunId.Contains("..", StringComparison.Ordinal))
            {
                return ValidationResult.Error($"<RUN>: '{RunId}' is not a run id");
            }
            return File.Exists(Path.Combine(RunDirectory, "state.json")) || File.Exists(Path.Combine(RunDirectory, "dataset.jsonl"))
                ? ValidationResult.Success()
                : ValidationResult.Error($"<RUN>: no run '{RunId}' in {Path.GetFullPath(RunsRoot(Artifacts))} (neither state.json nor dataset.jsonl)");
        }

        private static string RunsRoot(string artifacts) => Path.Combine(artifacts, "runs");
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        List<ExportRow> rows;
        try
        {
            rows = await ReadAsync(new ArtifactStore(settings.Artifacts), settings.RunId, cancellationToken);
        }
        catch (Exception ex) when (ex is Gsm8kFormatException or JsonException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] <RUN> '{settings.RunId}' in {settings.Artifacts}: {ex.Message.Split(" (Parameter", 2)[0]}");
            return 1;
        }
        var output = settings.Out ?? $"{settings.RunId}.{settings.Format}";
        var temp = $"{output}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = File.Create(temp))
            {
                if (settings.Format == "parquet")
                {
                    await ParquetSerializer.SerializeAsync(rows, stream, cancellationToken: cancellationToken);
                }
                else
                {
                    Gsm8kJsonl.Export(rows.Select(r => new Core.Tasks.TaskItem(r.Id, r.Family, r.Difficulty, r.Question, r.Answer)), stream, includeMetadata: true);
                }
            }
            File.Move(temp, output, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] --out '{output}': {ex.Message}; nothing written");
            return 1;
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp); // a failed export leaves no half-written file behind
            }
        }
        AnsiConsole.MarkupLineInterpolated($"wrote {rows.Count} samples of {settings.RunId} to {output}");
        return 0;
    }

    /// <summary>Reads through the artifact store, so a run folder or file that is a link out of the artifact directory is refused.</summary>
    private static async Task<List<ExportRow>> ReadAsync(ArtifactStore store, string runId, CancellationToken ct)
    {
        var statePath = store.Resolve($"runs/{runId}/state.json");
        if (File.Exists(statePath))
        {
            var state = LoopStateJson.Deserialize(await File.ReadAllTextAsync(statePath, ct));
            return [.. state.Samples.Select(s => new ExportRow
            {
                Id = s.Item.Id, Question = s.Item.Question, Answer = s.Item.Answer, Family = s.Item.Family, Difficulty = s.Item.Difficulty,
                Round = s.Round, SeedId = s.SeedId, Strategy = s.Strategy, StrategyScore = s.StrategyScore,
            })];
        }
        var items = Gsm8kJsonl.ImportFile(store.Resolve($"runs/{runId}/dataset.jsonl"));
        return [.. items.Select(i => new ExportRow { Id = i.Id, Question = i.Question, Answer = i.Answer, Family = i.Family, Difficulty = i.Difficulty })];
    }

    /// <summary>One exported sample; lineage columns are empty when the run's folder has only its dataset.</summary>
    public sealed class ExportRow
    {
        public string Id { get; set; } = "";
        public string Question { get; set; } = "";
        public string Answer { get; set; } = "";
        public string Family { get; set; } = "";
        public int Difficulty { get; set; }
        public int? Round { get; set; }
        public string? SeedId { get; set; }
        public string? Strategy { get; set; }
        public double? StrategyScore { get; set; }
    }
}
