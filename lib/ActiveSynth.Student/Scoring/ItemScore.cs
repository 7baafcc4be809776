namespace ActiveSynth.Student.Scoring;

/// <summary>Signals of one item. Null = not computed (not asked for), which is different from 0. NLLs are in nats.</summary>
public sealed record ItemScore
{
    public required string ItemId { get; init; }

    public required string Family { get; init; }

    /// <summary>Greedy answer text (empty when no decoding was asked for).</summary>
    public string StudentAnswer { get; init; } = "";

    public string? StudentFinalAnswer { get; init; }

    /// <summary>Tokens the own-answer NLL covers (generated tokens plus the terminator).</summary>
    public int TokenCount { get; init; }

    public double? OwnMeanNll { get; init; }

    public double? OwnTotalNll { get; init; }

    public double? AnswerTokenNll { get; init; }

    public double? ReferenceMeanNll { get; init; }

    public double? ReferenceTotalNll { get; init; }

    public bool? Correct { get; init; }

    public double? MeanEntropy { get; init; }

    public double? MeanMargin { get; init; }

    /// <summary>d_model floats.</summary>
    public float[]? Embedding { get; init; }

    /// <summary>vocab × d_model floats, row-major: entry [v, j] = mean over own-answer tokens of (p_v − 1[v = argmax]) · h_j.</summary>
    public float[]? GradientEmbedding { get; init; }
}

/// <summary>Scores of a batch and what it cost.</summary>
public sealed record ScoreBatchResult(IReadOnlyList<ItemScore> Items, long TokensProcessed, TimeSpan Duration);

/// <summary>Decode and batching settings of the scorer.</summary>
public sealed record ScoringSettings
{
    /// <summary>Items per forward batch.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Greedy decode limit (also capped by the context).</summary>
    public int MaxNewTokens { get; init; } = 64;

    /// <summary>Off only to test the cache against full recomputation.</summary>
    public bool UseKvCache { get; init; } = true;
}
