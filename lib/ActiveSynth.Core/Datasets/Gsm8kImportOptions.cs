namespace ActiveSynth.Core.Datasets;

/// <summary>
/// Limits and defaults for importing a GSM8K-format seed or test file (JSONL, or Parquet through the command line). The
/// limits keep a wrong or hostile file from exhausting memory.
/// </summary>
public sealed class Gsm8kImportOptions
{
    /// <summary>Largest file accepted, in bytes (default 256 MiB; GSM8K's train split is about 4 MB).</summary>
    public long MaxFileBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Longest line accepted, in UTF-8 bytes (default 64 KiB).</summary>
    public int MaxLineBytes { get; init; } = 64 * 1024;

    /// <summary>Most items accepted (default 1,000,000).</summary>
    public int MaxItems { get; init; } = 1_000_000;

    /// <summary>Family of items whose line has no "family" field (default "gsm8k").</summary>
    public string Family { get; init; } = Tasks.TaskFamilyRegistry.ImportedFamily;

    /// <summary>Prefix of generated ids for lines without an "id" field: <c>&lt;prefix&gt;-&lt;line&gt;</c>.</summary>
    public string IdPrefix { get; init; } = "item";

    /// <summary>Name of the question field (JSONL) or column (Parquet); default "question", as in Hugging Face's GSM8K.</summary>
    public string QuestionField { get; init; } = "question";

    /// <summary>Name of the answer field or column; default "answer".</summary>
    public string AnswerField { get; init; } = "answer";

    /// <summary>When true (default) a reference answer must contain a <c>#### &lt;answer&gt;</c> line.</summary>
    public bool RequireFinalAnswer { get; init; } = true;
}
