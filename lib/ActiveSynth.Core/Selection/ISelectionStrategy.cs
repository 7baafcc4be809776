namespace ActiveSynth.Core.Selection;

/// <summary>
/// A selection strategy: a pure function from candidates' signals to an ordered list of picks.
/// Implementations are deterministic for a given <see cref="Random"/> state and never pick a candidate twice.
/// </summary>
public interface ISelectionStrategy
{
    /// <summary>Registered name, e.g. <c>random</c>, <c>loss-high</c>, <c>badge</c>.</summary>
    string Name { get; }

    /// <summary>Signals this strategy reads; the scorer computes at least these.</summary>
    SignalNeeds Needs { get; }

    /// <summary>
    /// Picks <c>min(count, candidates.Count)</c> distinct candidates, best first.
    /// Throws <see cref="ArgumentException"/> naming the candidate when a needed signal is missing.
    /// </summary>
    IReadOnlyList<Pick> Select(IReadOnlyList<CandidateSignals> candidates, int count, Random rng);

    /// <summary>
    /// When the loop trains: <see cref="TrainingSchedule.EveryRound"/> (the closed loop) or <see cref="TrainingSchedule.AfterGeneration"/>
    /// (static generation: every round's samples are written before the first training round).
    /// </summary>
    TrainingSchedule Schedule => TrainingSchedule.EveryRound;
}
