using ActiveSynth.Core.Tasks;
using ActiveSynth.Teachers.Usage;
using ActiveSynth.Teachers.Validation;

namespace ActiveSynth.Teachers.Generation;

/// <summary>A kept sample or a drop, and what was spent either way.</summary>
public sealed record GenerationOutcome(TaskItem? Sample, SampleDrop? Drop, CallUsage Usage, IReadOnlyList<string> CallIds, string PromptVersion);
