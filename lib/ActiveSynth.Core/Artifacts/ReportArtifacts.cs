namespace ActiveSynth.Core.Artifacts;

/// <summary>The report files of a finished run.</summary>
public sealed record ReportArtifacts(ArtifactInfo Json, ArtifactInfo Markdown, ArtifactInfo Dataset, ArtifactInfo Lineage, IReadOnlyList<ArtifactInfo> Plots);
