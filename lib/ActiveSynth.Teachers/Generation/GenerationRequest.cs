using ActiveSynth.Core.Tasks;

namespace ActiveSynth.Teachers.Generation;

/// <summary>Which teacher calls a generation makes (the contract's <c>TeacherCallKind</c> for generation).</summary>
public enum GenerationKind
{
    /// <summary>Call 1 (new question like the seed), then call 2 (solve it).</summary>
    QuestionAndSolution,

    /// <summary>Call 1 only: the sample has an empty answer.</summary>
    Question,

    /// <summary>Call 2 only, for <see cref="GenerationRequest.Question"/>.</summary>
    Solution,
}

/// <summary>One sample to write like <paramref name="Seed"/>.</summary>
/// <param name="Scope">Duplicate scope (the run id; empty = no duplicate check across requests).</param>
/// <param name="Seed">The seed item.</param>
/// <param name="SampleId">Id the sample gets (deterministic, so a redelivery makes the same sample).</param>
/// <param name="Settings">Call settings.</param>
/// <param name="Kind">Calls to make.</param>
/// <param name="Question">The question to solve when <paramref name="Kind"/> is <see cref="GenerationKind.Solution"/>.</param>
public sealed record GenerationRequest(string Scope, TaskItem Seed, string SampleId, TeacherCallSettings Settings,
    GenerationKind Kind = GenerationKind.QuestionAndSolution, string? Question = null);
