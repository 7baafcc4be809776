namespace ActiveSynth.Teachers.Resilience;

/// <summary>
/// A teacher call failed for good (after its retries, or at once for a permanent error). <see cref="Kind"/> is a
/// short, secret-free description for drop records and logs ("http 500", "timeout", "malformed response").
/// </summary>
public sealed class TeacherCallException : Exception
{
    public TeacherCallException()
    {
    }

    public TeacherCallException(string message) : base(message)
    {
    }

    public TeacherCallException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public TeacherCallException(string kind, int attempts, Exception innerException)
        : base($"Teacher call failed after {attempts} attempt(s): {kind}.", innerException)
    {
        Kind = kind;
        Attempts = attempts;
    }

    public string Kind { get; } = "error";

    public int Attempts { get; }

    /// <summary>Retries that happened before giving up (never charged).</summary>
    public int Retries => Math.Max(0, Attempts - 1);
}
