namespace ActiveSynth.Core.Artifacts;

/// <summary>A file in the artifact store as the contract's ArtifactRef describes it.</summary>
public sealed record ArtifactInfo(string Path, string Sha256, long SizeBytes, string MediaType);
