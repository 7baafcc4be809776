using System.ComponentModel.DataAnnotations;

namespace ActiveSynth.Core.Artifacts;

/// <summary>
/// Where checkpoints, datasets and reports live: one directory shared by every service of a deployment, or, for a replica on
/// another machine, its own directory plus the deployment's artifact service (<see cref="Remote"/>).
/// </summary>
public sealed class ArtifactStoreOptions : IValidatableObject
{
    public const string SectionName = "Artifacts";

    /// <summary>Absolute or relative path of the artifact directory (AppHost: <c>Artifacts:Root</c>): the shared one, or this replica's own.</summary>
    [Required(ErrorMessage = "Artifacts:Root is required: the directory shared by the services for checkpoints, datasets and reports.")]
    public string Root { get; set; } = "";

    /// <summary>
    /// The deployment's artifact service (the Selection service's gRPC address, e.g. <c>http://10.0.0.5:7001</c>) for a replica
    /// that does not share <see cref="Root"/> with the deployment: it publishes what it writes there and fetches what it lacks.
    /// Empty (the default) when the folder is shared.
    /// </summary>
    public string? Remote { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(Remote)
            && !(Uri.TryCreate(Remote, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            yield return new ValidationResult(
                $"Artifacts:Remote must be the http(s) address of the deployment's artifact service (the Selection service), got '{Remote}'.",
                [nameof(Remote)]);
        }
    }
}
