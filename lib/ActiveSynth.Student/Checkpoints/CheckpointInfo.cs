using System.Text.Json.Serialization;

namespace ActiveSynth.Student.Checkpoints;

/// <summary>A checkpoint directory in the artifact store (the library's side of the contract's CheckpointRef).</summary>
public sealed record CheckpointInfo
{
    public required string Id { get; init; }

    /// <summary>Directory relative to the artifact store root.</summary>
    public required string Path { get; init; }

    /// <summary>sha256 of <c>model.safetensors</c> (lowercase hex): what messages carry and loading verifies.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Size of the checkpoint's files together.</summary>
    public long SizeBytes { get; init; }

    public int Round { get; init; }

    public bool IsBase { get; init; }

    public string RunId { get; init; } = "";

    public string ParentId { get; init; } = "";

    public int TrainedSamples { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public bool HasOptimizerState { get; init; }

    /// <summary>A base checkpoint carries the items it was pretrained on (<c>replay.jsonl</c>): the replay source of later rounds.</summary>
    public bool HasReplay { get; init; }
}

/// <summary>What goes into a checkpoint besides the weights (ids and lineage).</summary>
public sealed record CheckpointMetadata
{
    public required string Id { get; init; }

    public int Round { get; init; }

    public bool IsBase { get; init; }

    public string RunId { get; init; } = "";

    public string ParentId { get; init; } = "";

    public int TrainedSamples { get; init; }

    /// <summary>Free-form facts recorded in the manifest (e.g. pretraining seconds, final loss).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
}

/// <summary>A checkpoint that is missing, incomplete, corrupted (sha256 mismatch) or unreadable. The message names the path.</summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException(string path, string message, Exception? inner = null) : base(message, inner) => CheckpointPath = path;

    public CheckpointException()
    {
        CheckpointPath = "";
    }

    public CheckpointException(string message) : base(message) => CheckpointPath = "";

    public CheckpointException(string message, Exception innerException) : base(message, innerException) => CheckpointPath = "";

    public string CheckpointPath { get; }

    /// <summary>True when the checkpoint does not exist (as opposed to existing but being corrupted).</summary>
    public bool IsMissing { get; init; }

    /// <summary>True when the path itself is unusable: absolute, or leaving the artifact root by '..' or a symbolic link.</summary>
    public bool IsInvalidPath { get; init; }

    /// <summary>The file of the checkpoint the problem is in (<c>model.safetensors</c>, <c>checkpoint.json</c>, ...); null when unknown.</summary>
    public string? FileName { get; init; }

    /// <summary>The problem in a few words, without server paths (e.g. "does not match its recorded sha256").</summary>
    public string Problem { get; init; } = "is unreadable";

    /// <summary>
    /// What a client may be told (gRPC status detail, a failure result): the checkpoint path, the file and the problem,
    /// never the artifact root or an inner exception's text.
    /// </summary>
    public string Summary => FileName is null
        ? $"checkpoint '{CheckpointPath}' {Problem}"
        : $"checkpoint '{CheckpointPath}': {FileName} {Problem}";
}

internal sealed record CheckpointManifest : CheckpointLineage
{
    [JsonPropertyName("format")]
    public string Format { get; init; } = CheckpointStore.FormatName;

    [JsonPropertyName("weights_sha256")]
    public string WeightsSha256 { get; init; } = "";

    /// <summary>File name → sha256, for every file of the checkpoint.</summary>
    [JsonPropertyName("files")]
    public Dictionary<string, string> Files { get; init; } = [];

    [JsonPropertyName("size_bytes")]
    public long SizeBytes { get; init; }
}
