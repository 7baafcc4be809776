using ActiveSynth.Core.Students;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>A LoRA adapter's shape (PEFT's <c>LoraConfig</c>): rank r, scaling α/r, dropout on the adapter's input, and the projections it adapts.</summary>
public sealed record LoraSettings
{
    public static IReadOnlyList<string> AllProjections => HfStudentOptionValues.Projections;

    public int Rank { get; init; } = 8;

    public double Alpha { get; init; } = 16;

    public double Dropout { get; init; } = 0.05;

    /// <summary>Projection names (the last part of a module's name, as PEFT matches them).</summary>
    public IReadOnlyList<string> TargetModules { get; init; } = AllProjections;

    public void Validate()
    {
        if (Rank <= 0)
        {
            throw new ArgumentException($"LoRA rank is {Rank}; it must be positive.");
        }
        if (Alpha <= 0)
        {
            throw new ArgumentException($"LoRA alpha is {Alpha}; it must be positive.");
        }
        if (Dropout is < 0 or >= 1)
        {
            throw new ArgumentException($"LoRA dropout is {Dropout}; it must be in [0, 1).");
        }
        if (TargetModules.Count == 0)
        {
            throw new ArgumentException("LoRA target modules are empty.");
        }
        var unknown = TargetModules.Where(t => !AllProjections.Contains(t)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"LoRA target module(s) {string.Join(", ", unknown)} are not projections of this architecture; known: {string.Join(", ", AllProjections)}.");
        }
    }
}
