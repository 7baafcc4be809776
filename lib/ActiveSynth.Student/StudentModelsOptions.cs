using System.ComponentModel.DataAnnotations;

namespace ActiveSynth.Student;

/// <summary>Where Hugging Face students' model directories are (section <c>Student</c>, shared with the device options).</summary>
public sealed class StudentModelsOptions : IValidatableObject
{
    /// <summary>
    /// The directory <c>student.path</c> of a Hugging Face student is relative to: an absolute path to an existing
    /// directory (e.g. where models are downloaded), or empty for the artifact root.
    /// </summary>
    public string ModelsRoot { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ModelsRoot.Length > 0 && (!Path.IsPathRooted(ModelsRoot) || !Directory.Exists(ModelsRoot)))
        {
            yield return new ValidationResult($"Student:ModelsRoot must be an absolute path to an existing directory, got '{ModelsRoot}'.", [nameof(ModelsRoot)]);
        }
    }
}
