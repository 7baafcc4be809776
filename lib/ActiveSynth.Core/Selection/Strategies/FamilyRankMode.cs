namespace ActiveSynth.Core.Selection.Strategies;

/// <summary>How <see cref="LossHighFamilyStrategy"/> makes own-answer NLL comparable across task families.</summary>
public enum FamilyRankMode
{
    /// <summary>Rank within each family, then take the families' next-best in turn (the spike's loss-high-rr). Option value <c>round-robin</c>.</summary>
    RoundRobin,

    /// <summary>z-score the NLL within each family, then take the global top-m. Option value <c>zscore</c>.</summary>
    ZScore,
}
