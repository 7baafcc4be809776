using System.ComponentModel.DataAnnotations;

namespace ActiveSynth.Core.Artifacts;

/// <summary>Where checkpoints, datasets and reports live: one directory shared by every service of a deployment.</summary>
public sealed class ArtifactStoreOptions
{
    public const string SectionName = "Artifacts";

    /// <summary>Absolute or relative path of the shared artifact directory (AppHost: <c>Artifacts:Root</c>).</summary>
    [Required(ErrorMessage = "Artifacts:Root is required: the directory shared by the services for checkpoints, datasets and reports.")]
    public string Root { get; set; } = "";
}
