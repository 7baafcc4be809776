using System.ComponentModel.DataAnnotations;

namespace ActiveSynth.Selection.Options;

/// <summary>
/// How long finished runs are kept (section <c>Selection:Retention</c>), validated at start. Off by default: a finished run keeps
/// only its spec, state, metadata and events in Redis (its transient keys are deleted when it finishes), and its report,
/// dataset and checkpoints are results someone may still want, so deleting them is a choice the deployment makes.
/// </summary>
public sealed class RetentionOptions : IValidatableObject
{
    public const string SectionName = "Selection:Retention";

    /// <summary>
    /// A run that finished (Completed, Failed, Cancelled) longer ago than this is deleted with everything it has (Redis keys,
    /// <c>runs/&lt;id&gt;/</c> artifacts), as DeleteRun does. <c>00:00:00</c> (the default) keeps finished runs until deleted.
    /// </summary>
    public TimeSpan FinishedRuns { get; set; } = TimeSpan.Zero;

    /// <summary>How often the sweeper looks for finished runs past <see cref="FinishedRuns"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Keeps a finished run's transient keys (stored replies, markers) until their time to live instead of deleting them when
    /// it finishes: for audits that compare what the workers produced with what the run kept (the chaos tests). Off by default.
    /// </summary>
    public bool KeepReplies { get; set; }

    public bool Enabled => FinishedRuns > TimeSpan.Zero;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (FinishedRuns < TimeSpan.Zero || (FinishedRuns > TimeSpan.Zero && FinishedRuns < TimeSpan.FromMinutes(1)) || FinishedRuns > TimeSpan.FromDays(3650))
        {
            yield return new ValidationResult(
                $"Selection:Retention:FinishedRuns must be 00:00:00 (off) or between 00:01:00 and 3650.00:00:00, got {FinishedRuns}",
                [nameof(FinishedRuns)]);
        }
    }
}
