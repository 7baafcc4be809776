namespace ActiveSynth.Core.Loop;

/// <summary>
/// Every generation of a round failed with a teacher error (the endpoint is down, refuses the key, or keeps answering garbage):
/// no sample can be kept, so repeating the round would loop for ever without ever reaching the budget. The run fails instead,
/// with this message as its reason.
/// </summary>
public sealed class TeacherUnavailableException : Exception
{
    public TeacherUnavailableException()
    {
    }

    public TeacherUnavailableException(string message)
        : base(message)
    {
    }

    public TeacherUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// True when <paramref name="reason"/> names a teacher error in any of the spellings workers use: the proto name
    /// (<c>DROP_REASON_TEACHER_ERROR</c>), the enum name (<c>TeacherError</c>) or snake case (<c>teacher_error</c>).
    /// </summary>
    public static bool IsTeacherError(string? reason)
    {
        if (string.IsNullOrEmpty(reason))
        {
            return false;
        }
        var name = reason.StartsWith("DROP_REASON_", StringComparison.OrdinalIgnoreCase) ? reason["DROP_REASON_".Length..] : reason;
        return string.Equals(name.Replace("_", "", StringComparison.Ordinal), "teachererror", StringComparison.OrdinalIgnoreCase);
    }
}
