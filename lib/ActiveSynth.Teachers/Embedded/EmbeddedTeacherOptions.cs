using System.ComponentModel.DataAnnotations;
using ActiveSynth.Core.Tasks;

namespace ActiveSynth.Teachers.Embedded;

/// <summary>Options of the embedded teacher (configuration section <c>Teacher:Embedded</c> in the service).</summary>
public sealed class EmbeddedTeacherOptions
{
    /// <summary>Model id it reports (prices and cache keys are per model).</summary>
    [Required]
    public string ModelId { get; set; } = "embedded-teacher";

    /// <summary>Default probability that a solution's final answer is wrong; a call may override it (<see cref="TeacherOptionKeys.ErrorRate"/>).</summary>
    [Range(0.0, 1.0)]
    public double ErrorRate { get; set; }

    /// <summary>Probability that a new question moves one difficulty step away from the seed's (v7: 0.1).</summary>
    [Range(0.0, 1.0)]
    public double JumpProbability { get; set; } = ProceduralTeacher.DefaultJumpProbability;

    /// <summary>Mixed into every call's seed, so two embedded teachers can be told apart.</summary>
    public long Seed { get; set; }
}
