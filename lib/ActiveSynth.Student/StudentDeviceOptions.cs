using System.ComponentModel.DataAnnotations;

namespace ActiveSynth.Student;

/// <summary>Where the student runs. Bound from <c>Student</c>; never hard-coded.</summary>
public sealed class StudentDeviceOptions
{
    public const string SectionName = "Student";

    /// <summary><c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    [Required, RegularExpression("^(cpu|cuda(:[0-9]+)?)$", ErrorMessage = "Student:Device must be 'cpu', 'cuda' or 'cuda:N'.")]
    public string Device { get; set; } = "cpu";

    /// <summary>Intra-op threads for CPU work; 0 keeps libtorch's default. A tiny model runs fastest on 1 (docs/architecture.md, "The embedded recipe").</summary>
    [Range(0, 256)]
    public int Threads { get; set; }
}
