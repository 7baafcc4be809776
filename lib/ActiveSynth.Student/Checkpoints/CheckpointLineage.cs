using System.Text.Json.Serialization;

namespace ActiveSynth.Student.Checkpoints;

/// <summary>What every checkpoint manifest records about where the checkpoint comes from (the embedded student's and a Hugging Face adapter's).</summary>
public abstract record CheckpointLineage
{
    [JsonPropertyName("id")]
    public string Id { get; init; } = "";

    [JsonPropertyName("round")]
    public int Round { get; init; }

    [JsonPropertyName("is_base")]
    public bool IsBase { get; init; }

    [JsonPropertyName("run_id")]
    public string RunId { get; init; } = "";

    [JsonPropertyName("parent_id")]
    public string ParentId { get; init; } = "";

    [JsonPropertyName("trained_samples")]
    public int TrainedSamples { get; init; }

    [JsonPropertyName("created_at")]
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Free-form facts (training report, pretraining cost).</summary>
    [JsonPropertyName("properties")]
    public Dictionary<string, string> Properties { get; init; } = [];

    /// <summary>The checkpoint at <paramref name="path"/> as the services see it, identified by <paramref name="sha256"/>.</summary>
    public CheckpointInfo ToInfo(string path, string sha256, long sizeBytes) => new()
    {
        Id = Id,
        Path = path,
        Sha256 = sha256,
        SizeBytes = sizeBytes,
        Round = Round,
        IsBase = IsBase,
        RunId = RunId,
        ParentId = ParentId,
        TrainedSamples = TrainedSamples,
        CreatedAt = CreatedAt,
    };
}
