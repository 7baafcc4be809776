using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Students;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Engine.Specs;

/// <summary>A named task set for comparisons: its families at difficulty 1..4, and what the base is pretrained on (the same families).</summary>
public sealed record BenchmarkPreset(string Name, IReadOnlyList<string> Families, string Description);

/// <summary>
/// The benchmarks a comparison can name (<c>compare --benchmark</c>): <c>strings</c>, the embedded recipe's learnable string
/// families (v7); <c>arith-logic</c>, arithmetic and logic rescaled for the embedded student (step10, bool; see
/// RunningValueFamily), every cell learned to 100 % in the learnability check in each seed measured
/// (benchmarks/results/learnability-step10-bool-seed{0,1,2}.json) but only after far more samples than a comparison's budget
/// buys; and <c>letters</c>, other letter transforms (swap, back, rot), a second benchmark the student learns at that budget.
/// Applying one sets the spec's task families and the embedded student's <c>base_families</c>, so the base knows the
/// benchmark's answer format and replays its own families, whatever the deployment's default base is.
/// </summary>
public static class BenchmarkPresets
{
    public static BenchmarkPreset Strings { get; } = new("strings", TaskFamilyRegistry.EmbeddedBenchmarkFamilies,
        "copy, rev, shift: the embedded recipe's learnable string families (v7)");

    public static BenchmarkPreset ArithLogic { get; } = new("arith-logic", TaskFamilyRegistry.ArithLogicBenchmarkFamilies,
        "step10, bool: arithmetic (a digit moved up or down by 1 to 3 modulo 10) and logic (and/or/xor), 3 to 9 operators, rescaled to the embedded student, step by step");

    public static BenchmarkPreset Letters { get; } = new("letters", TaskFamilyRegistry.LettersBenchmarkFamilies,
        "swap, back, rot: letter transforms other than the strings benchmark's, of the same shape (learnable from a few hundred samples)");

    public static IReadOnlyList<BenchmarkPreset> All { get; } = [Strings, ArithLogic, Letters];

    public static IEnumerable<string> Names => All.Select(p => p.Name);

    public static BenchmarkPreset? Find(string name) => All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));

    /// <summary>Sets <paramref name="spec"/>'s task families and, for an embedded student, the families its base is pretrained on.</summary>
    public static void Apply(BenchmarkPreset preset, RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(preset);
        ArgumentNullException.ThrowIfNull(spec);
        spec.Task ??= new TaskSpec();
        spec.Task.Families.Clear();
        spec.Task.Families.AddRange(preset.Families);
        spec.Student ??= new StudentSpec { Kind = StudentKind.Embedded };
        if (spec.Student.Kind != StudentKind.Hf)
        {
            spec.Student.Options[EmbeddedStudentOptions.BaseFamilies] = string.Join(",", preset.Families);
        }
    }
}
