namespace ActiveSynth.Core.Selection.Strategies;

/// <summary>
/// <c>loss-high-ans</c>: Top-m by the NLL over the final-answer tokens of the own answer only (normalises away long reasoning). Pick.Score = AnswerNll.
/// Ties go to the smaller id (ordinal).
/// </summary>
public sealed class LossHighAnswerStrategy : ISelectionStrategy
{
    public const string StrategyName = "loss-high-ans";

    public string Name => StrategyName;

    public SignalNeeds Needs => SignalNeeds.AnswerNll;

    public IReadOnlyList<Pick> Select(IReadOnlyList<CandidateSignals> candidates, int count, Random rng) =>
        Ranking.Select(StrategyName, candidates, count, rng, nameof(CandidateSignals.AnswerNll), static c => c.AnswerNll, highestFirst: true);
}
