namespace ActiveSynth.Core.Selection;

/// <summary>Signals a strategy can need; the loop asks the scorer for the union of what the run's strategy needs.</summary>
[Flags]
public enum SignalKind
{
    None = 0,
    OwnNll = 1,
    AnswerNll = 2,
    ReferenceNll = 4,
    Correctness = 8,
    EntropyMargin = 16,
    Embedding = 32,
    GradientEmbedding = 64,
    Reward = 128,
    JudgeDifficulty = 256,
}
