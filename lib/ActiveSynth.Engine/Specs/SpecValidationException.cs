using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Engine.Specs;

/// <summary>A run spec with bad fields; gRPC answers InvalidArgument with every field named.</summary>
public sealed class SpecValidationException(IReadOnlyList<SpecError> errors)
    : Exception(string.Join("; ", errors.Select(e => e.ToString())))
{
    public IReadOnlyList<SpecError> Errors { get; } = errors;
}
