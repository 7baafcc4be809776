namespace ActiveSynth.Core.Selection.Strategies;

/// <summary>Where <see cref="CoresetStrategy"/>'s greedy k-center starts.</summary>
public enum CoresetStart
{
    /// <summary>The candidate farthest from the mean embedding (deterministic; ties to the smaller id). Option value <c>farthest-from-mean</c>.</summary>
    FarthestFromMean,

    /// <summary>A candidate drawn uniformly with <c>rng</c>. Option value <c>random</c>.</summary>
    Random,
}
