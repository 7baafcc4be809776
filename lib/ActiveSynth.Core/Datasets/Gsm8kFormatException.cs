namespace ActiveSynth.Core.Datasets;

/// <summary>A GSM8K JSONL file could not be imported. <see cref="LineNumber"/> is 1-based; 0 when the problem is the whole file.</summary>
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

    public Gsm8kFormatException()
    {
    }

    public int LineNumber { get; }

    public string Problem { get; } = "";
}
