namespace ActiveSynth.Core.Datasets;

/// <summary>
/// A GSM8K JSONL file could not be imported. <see cref="LineNumber"/> is 1-based; 0 when the problem is the whole file.
/// <see cref="FilePath"/> is set when the problem came from a file (<see cref="Gsm8kJsonl.ImportFile"/>), and then the
/// message starts with it, so an error surfaced through an API or the CLI says which file and which line.
/// </summary>
public sealed class Gsm8kFormatException : FormatException
{
    public Gsm8kFormatException(string message) : base(message)
    {
    }

    public Gsm8kFormatException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public Gsm8kFormatException(int lineNumber, string problem, Exception? innerException = null)
        : base($"line {lineNumber}: {problem}", innerException)
    {
        LineNumber = lineNumber;
        Problem = problem;
    }

    private Gsm8kFormatException(string filePath, Gsm8kFormatException inner)
        : base($"{filePath}: {inner.Message}", inner)
    {
        FilePath = filePath;
        LineNumber = inner.LineNumber;
        Problem = inner.Problem.Length > 0 ? inner.Problem : inner.Message;
    }

    public Gsm8kFormatException()
    {
    }

    public int LineNumber { get; }

    public string Problem { get; } = "";

    /// <summary>The file the problem is in; null for an import from a stream.</summary>
    public string? FilePath { get; }

    /// <summary>The same problem, with <paramref name="filePath"/> in front of the message.</summary>
    public Gsm8kFormatException InFile(string filePath) => FilePath is null ? new Gsm8kFormatException(filePath, this) : this;
}
