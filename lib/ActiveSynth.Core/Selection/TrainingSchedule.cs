namespace ActiveSynth.Core.Selection;

/// <summary>When a run's student trains, relative to the teacher's generation (<see cref="ISelectionStrategy.Schedule"/>).</summary>
public enum TrainingSchedule
{
    /// <summary>The closed loop: each round generates, then trains on every sample so far, so the next round's picks see the new student.</summary>
    EveryRound,

    /// <summary>
    /// Static generation: the rounds generate the whole budget first (no training in between), then the student trains on all
    /// of it for as many rounds (of the same steps) as generation took: the same total number of training steps.
    /// </summary>
    AfterGeneration,
}
