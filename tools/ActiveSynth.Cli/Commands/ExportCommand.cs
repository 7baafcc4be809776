using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Datasets;
using ActiveSynth.Core.Loop;
using Parquet.Serialization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActiveSynth.Cli.Commands;

/// <summary>
/// `activesynth export &lt;run&gt;`: a run's kept samples as GSM8K JSONL or Parquet, from its folder in the artifact
/// directory: the run state (local runs; with lineage) or the service's dataset.jsonl. Written into the run's folder
/// (<c>export.jsonl</c>, <c>export.parquet</c>) unless <c>--out</c>; `seeds import` reads either back as a seed set.
/// </summary>
public sealed class ExportCommand : AsyncCommand<ExportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        /// <summary>Where a run is looked for when <c>--artifacts</c> is not given, before the local deployment's artifact directory.</summary>
        public const string DefaultArtifacts = ".artifacts/local";

        private string? _artifacts;

        [CommandArgument(0, "<RUN>")]
        [Description("Run id (a folder under <artifacts>/runs).")]
        public string RunId { get; init; } = "";

        [CommandOption("--format <FORMAT>")]
        [Description("jsonl or parquet; either way the fields are id, question, answer, family, difficulty and the lineage (round, seed_id, strategy, strategy_score; local runs), which `seeds import` reads back. Default jsonl.")]
        public string Format { get; init; } = "jsonl";

        [CommandOption("--artifacts <DIR>")]
        [Description("The artifact directory. Default: .artifacts/local, else the artifact directory of the local deployment a running AppHost recorded.")]
        public string? Artifacts { get; init; }

        [CommandOption("--out <FILE>")]
        [Description("Output file. Default: export.<format> in the run's folder (<artifacts>/runs/<run>/).")]
        public string? Out { get; init; }

        /// <summary>The artifact directory that holds the run, once validated.</summary>
        public string ArtifactsDirectory => _artifacts ?? throw new InvalidOperationException("the settings have not been validated");

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
            string[] candidates = Artifacts is not null ? [Artifacts]
                : [DefaultArtifacts, .. ServerAddress.LocalDeploymentArtifacts(CliEnvironment.Variables) is { } deployment ? [deployment] : Array.Empty<string>()];
            _artifacts = candidates.FirstOrDefault(HasRun);
            return _artifacts is not null
                ? ValidationResult.Success()
                : ValidationResult.Error($"<RUN>: no run '{RunId}' in {string.Join(" or ", candidates.Select(c => Path.GetFullPath(Path.Combine(c, "runs"))))} (neither state.json nor dataset.jsonl)");
        }

        private bool HasRun(string artifacts) =>
            File.Exists(Path.Combine(artifacts, "runs", RunId, "state.json")) || File.Exists(Path.Combine(artifacts, "runs", RunId, "dataset.jsonl"));
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var store = new ArtifactStore(settings.ArtifactsDirectory);
        List<ExportRow> rows;
        string output;
        try
        {
            rows = await ReadAsync(store, settings.RunId, cancellationToken);
            // By default beside the run's other files (through the store: a run folder linked out of the artifact directory is refused).
            output = settings.Out ?? store.Resolve($"runs/{settings.RunId}/export.{settings.Format}");
        }
        catch (Exception ex) when (ex is Gsm8kFormatException or JsonException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] <RUN> '{settings.RunId}' in {settings.ArtifactsDirectory}: {ex.Message.Split(" (Parameter", 2)[0]}");
            return 1;
        }
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
                    await WriteJsonlAsync(rows, stream, cancellationToken);
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

    /// <summary>One JSON object per line with the Parquet columns' names; lineage fields a run's folder does not have are left out.</summary>
    private static async Task WriteJsonlAsync(List<ExportRow> rows, Stream stream, CancellationToken ct)
    {
        foreach (var row in rows)
        {
            await JsonSerializer.SerializeAsync(stream, row, JsonlOptions, ct);
            stream.WriteByte((byte)'\n');
        }
    }

    private static readonly JsonSerializerOptions JsonlOptions = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // A file, not HTML: questions such as "3+4<9" stay readable instead of \u002B and \u003C.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

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

    /// <summary>
    /// One exported sample, with snake_case names in both formats (the fields `seeds import` reads: id, question, answer, family,
    /// difficulty; the lineage is ignored there); lineage columns are empty when the run's folder has only its dataset.
    /// </summary>
    public sealed class ExportRow
    {
        [JsonPropertyName("id")]
        public string Id { get; set; } = "";

        [JsonPropertyName("question")]
        public string Question { get; set; } = "";

        [JsonPropertyName("answer")]
        public string Answer { get; set; } = "";

        [JsonPropertyName("family")]
        public string Family { get; set; } = "";

        [JsonPropertyName("difficulty")]
        public int Difficulty { get; set; }

        [JsonPropertyName("round")]
        public int? Round { get; set; }

        [JsonPropertyName("seed_id")]
        public string? SeedId { get; set; }

        [JsonPropertyName("strategy")]
        public string? Strategy { get; set; }

        [JsonPropertyName("strategy_score")]
        public double? StrategyScore { get; set; }
    }
}
