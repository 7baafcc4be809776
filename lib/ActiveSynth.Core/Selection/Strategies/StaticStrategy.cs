namespace ActiveSynth.Core.Selection.Strategies;

/// <summary>
/// <c>static</c>: static generation, the baseline of the paper. Each generation round picks seeds exactly as <c>random</c> does
/// (uniform without replacement within the round, the same draws for the same run seed), but the student trains only after
/// every round's samples are written: the rounds generate until the budget is spent, then the student trains on all of them
/// for as many rounds of the same steps as generation took (<see cref="TrainingSchedule.AfterGeneration"/>). So it writes the
/// same samples as <c>random</c> with the same seed; only when the student sees them differs.
/// </summary>
public sealed class StaticStrategy : ISelectionStrategy
{
    public const string StrategyName = "static";

    private readonly RandomStrategy _uniform = new();

    public string Name => StrategyName;

    public SignalNeeds Needs => SignalNeeds.None;

    public TrainingSchedule Schedule => TrainingSchedule.AfterGeneration;

    public IReadOnlyList<Pick> Select(IReadOnlyList<CandidateSignals> candidates, int count, Random rng) => _uniform.Select(candidates, count, rng);
}
