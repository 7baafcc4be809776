namespace ActiveSynth.Student.Training;

/// <summary>The base cannot be pretrained as specified (for example, its families are not registered): retrying cannot fix it.</summary>
public sealed class BaseUnavailableException : InvalidOperationException
{
    public BaseUnavailableException()
    {
    }

    public BaseUnavailableException(string message) : base(message)
    {
    }

    public BaseUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
