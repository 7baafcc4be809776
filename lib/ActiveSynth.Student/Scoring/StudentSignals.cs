namespace ActiveSynth.Student.Scoring;

/// <summary>Which per-item signals to compute. Each costs time: ask only for what the strategy needs.</summary>
[Flags]
public enum StudentSignals
{
    None = 0,

    /// <summary>Greedy answer and the mean / total NLL of it (loss-high). Decoding also yields the next three for free.</summary>
    OwnAnswerNll = 1,

    /// <summary>Mean NLL over the tokens after <c>####</c> (the final answer and the terminator; loss-high-ans).</summary>
    AnswerTokenNll = 2,

    /// <summary>Mean and total NLL of the reference answer, teacher-forced (gt-loss-high). One extra forward pass.</summary>
    ReferenceNll = 4,

    /// <summary>Greedy answer graded against the reference by the family's grader.</summary>
    Correctness = 8,

    /// <summary>Mean predictive entropy and top-1 − top-2 probability margin over the own answer's tokens.</summary>
    EntropyMargin = 16,

    /// <summary>Mean-pooled final hidden state over prompt + own answer (coreset). One extra forward pass (shared with the next).</summary>
    Embedding = 32,

    /// <summary>BADGE: last-layer gradient embedding with respect to the student's own prediction, averaged over own-answer tokens.</summary>
    GradientEmbedding = 64,

    All = OwnAnswerNll | AnswerTokenNll | ReferenceNll | Correctness | EntropyMargin | Embedding | GradientEmbedding,
}

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
