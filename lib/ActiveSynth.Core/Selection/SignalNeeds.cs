namespace ActiveSynth.Core.Selection;

/// <summary>Signals a strategy can need; the loop asks the scorer for the union of what the run's strategy needs.</summary>
[Flags]
public enum SignalNeeds
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

/// <summary>Which signals cost teacher calls.</summary>
public static class SignalNeedsExtensions
{
    /// <summary>Signals the teacher gives as a judge (the question's difficulty, the student's answer's reward), not the student.</summary>
    public const SignalNeeds Judged = SignalNeeds.JudgeDifficulty | SignalNeeds.Reward;

    /// <summary>Signals the student computes itself (the scorer's part of a strategy's needs).</summary>
    public const SignalNeeds StudentComputed = SignalNeeds.OwnNll | SignalNeeds.AnswerNll | SignalNeeds.ReferenceNll | SignalNeeds.Correctness
        | SignalNeeds.EntropyMargin | SignalNeeds.Embedding | SignalNeeds.GradientEmbedding;

    /// <summary>True when some of <paramref name="needs"/> are the judge's, so scoring costs teacher calls.</summary>
    public static bool NeedJudge(this SignalNeeds needs) => (needs & Judged) != 0;
}
