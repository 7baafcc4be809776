using System.ComponentModel.DataAnnotations;

namespace ActiveSynth.Selection.Options;

/// <summary>
/// How much the artifact service accepts from uploads (section <c>Artifacts:Uploads</c>), validated at start. Workers publish
/// checkpoints through it, so the defaults fit a Hugging Face student's checkpoints (a 1.5B-parameter model in fp32 is about
/// 6 GB per file) with room to spare; what they bound is a client that would fill the deployment's disk.
/// </summary>
public sealed class ArtifactUploadOptions : IValidatableObject
{
    public const string SectionName = "Artifacts:Uploads";

    private const long GiB = 1L << 30;

    /// <summary>Largest single upload (its header's size_bytes), in bytes.</summary>
    [Range(1L, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 16 * GiB;

    /// <summary>Most bytes under one run's folder (<c>runs/&lt;id&gt;/</c>, whoever wrote them) that an upload may bring it to.</summary>
    [Range(1L, long.MaxValue)]
    public long MaxRunBytes { get; set; } = 128 * GiB;

    /// <summary>Most bytes in the whole artifact store that an upload may bring it to.</summary>
    [Range(1L, long.MaxValue)]
    public long MaxTotalBytes { get; set; } = 512 * GiB;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxFileBytes > MaxRunBytes || MaxRunBytes > MaxTotalBytes)
        {
            yield return new ValidationResult(
                $"{SectionName}: MaxFileBytes ({MaxFileBytes}) <= MaxRunBytes ({MaxRunBytes}) <= MaxTotalBytes ({MaxTotalBytes}) must hold: a larger inner limit could never be reached.",
                [nameof(MaxFileBytes), nameof(MaxRunBytes), nameof(MaxTotalBytes)]);
        }
    }
}
