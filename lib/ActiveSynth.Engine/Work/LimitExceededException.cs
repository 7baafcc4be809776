namespace ActiveSynth.Engine.Work;

/// <summary>
/// A request within the API's shape that a configured limit of the deployment refuses (an upload past its quota, one run too
/// many): gRPC answers ResourceExhausted. <see cref="Field"/> is the request field at fault, or null when the limit is on the
/// deployment rather than on a field; <see cref="Reason"/> names the limit's value and the setting that holds it.
/// </summary>
public sealed class LimitExceededException(string? field, string reason) : Exception(field is null ? reason : $"{field}: {reason}")
{
    public string? Field { get; } = field;

    public string Reason { get; } = reason;
}
