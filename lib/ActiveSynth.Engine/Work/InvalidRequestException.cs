using ActiveSynth.Engine.Specs;

namespace ActiveSynth.Engine.Work;

/// <summary>A request field that is missing or out of range: gRPC answers InvalidArgument naming it, a stream answers a failure.</summary>
public sealed class InvalidRequestException(string field, string reason) : Exception($"{field}: {reason}")
{
    public string Field { get; } = field;

    public string Reason { get; } = reason;
}
