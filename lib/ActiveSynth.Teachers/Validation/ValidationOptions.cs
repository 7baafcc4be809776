using System.ComponentModel.DataAnnotations;

namespace ActiveSynth.Teachers.Validation;

/// <summary>Limits and checks applied to the teacher's output (configuration section <c>Teacher:Validation</c>).</summary>
public sealed class ValidationOptions
{
    [Range(1, 1_000_000)]
    public int MaxQuestionChars { get; set; } = 2_000;

    [Range(1, 1_000_000)]
    public int MaxSolutionChars { get; set; } = 4_000;

    /// <summary>Longest question + "\n" + answer (the student's context, in characters); 0 = no limit.</summary>
    [Range(0, 1_000_000)]
    public int MaxSampleChars { get; set; }

    /// <summary>Drop solutions whose final answer the family's exact solver disagrees with (procedural families only). Off by default: a noisy teacher is part of the experiment.</summary>
    public bool VerifyAnswers { get; set; }
}
