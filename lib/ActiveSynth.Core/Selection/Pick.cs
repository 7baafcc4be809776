namespace ActiveSynth.Core.Selection;

/// <summary>One chosen candidate with the score that chose it (recorded in the sample's lineage).</summary>
public sealed record Pick(string Id, double Score);
