namespace ActiveSynth.Core.Selection;

/// <summary>
/// What the scorer measured about one candidate (a seed, or a generated sample in overgenerate mode).
/// A null signal was not computed: strategies declare what they need (<see cref="ISelectionStrategy.Needs"/>).
/// </summary>
public sealed record CandidateSignals(string Id, string Family, int Difficulty)
{
    /// <summary>Mean token NLL of the student's own greedy answer (loss-high).</summary>
    public double? OwnNll { get; init; }

    /// <summary>Mean NLL over the final-answer tokens of the own answer only (loss-high-ans).</summary>
    public double? AnswerNll { get; init; }

    /// <summary>Mean token NLL of the reference answer, teacher-forced (gt-loss-high).</summary>
    public double? ReferenceNll { get; init; }

    /// <summary>Whether the greedy answer is correct against the reference (incorrect).</summary>
    public bool? Correct { get; init; }

    /// <summary>Mean predictive entropy over own-answer tokens, nats.</summary>
    public double? Entropy { get; init; }

    /// <summary>Mean top-1 minus top-2 probability over own-answer tokens.</summary>
    public double? Margin { get; init; }

    /// <summary>Reward-model or verifier score of the student's answer (reward-low).</summary>
    public double? Reward { get; init; }

    /// <summary>Teacher-judge difficulty in [0, 1], 1 = hardest (judge-hard, lion).</summary>
    public double? JudgeDifficulty { get; init; }

    /// <summary>Mean-pooled last hidden state (coreset).</summary>
    public float[]? Embedding { get; init; }

    /// <summary>Last-layer gradient embedding of the student's own prediction (BADGE).</summary>
    public float[]? GradientEmbedding { get; init; }
}
