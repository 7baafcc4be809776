using System.Globalization;

namespace ActiveSynth.Core.Datasets;

/// <summary>
/// A seed or test file could not be imported. <see cref="Problems"/> holds every problem found in one pass (up to
/// <see cref="SeedSetBuilder.MaxReported"/>; <see cref="MoreProblems"/> counts the rest), each with its 1-based line or row
/// (<see cref="Unit"/>) or 0 for the whole file. <see cref="LineNumber"/> and <see cref="Problem"/> are the first one.
/// <see cref="FilePath"/> is set when the problem came from a file (<see cref="Gsm8kJsonl.ImportFile"/>), and then the
/// message starts with it, so an error surfaced through an API or the CLI says which file and which line.
/// </summary>
public sealed class Gsm8kFormatException : FormatException
{
    public Gsm8kFormatException(string message) : base(message)
    {
        Problems = [new ImportProblem(0, message)];
        Problem = message;
    }

    public Gsm8kFormatException(string message, Exception innerException) : base(message, innerException)
    {
        Problems = [new ImportProblem(0, message)];
        Problem = message;
    }

    public Gsm8kFormatException(int lineNumber, string problem, Exception? innerException = null)
        : this("line", [new ImportProblem(lineNumber, problem)], 0, innerException)
    {
    }

    /// <summary>Every problem of one import; <paramref name="unit"/> is "line" or "row".</summary>
    public Gsm8kFormatException(string unit, IReadOnlyList<ImportProblem> problems, int moreProblems, Exception? innerException = null)
        : base(Describe(unit, problems, moreProblems), innerException)
    {
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentOutOfRangeException.ThrowIfZero(problems.Count);
        Unit = unit;
        Problems = [.. problems];
        MoreProblems = moreProblems;
        LineNumber = problems[0].Number;
        Problem = problems[0].Problem;
    }

    private Gsm8kFormatException(string filePath, Gsm8kFormatException inner)
        : base($"{filePath}: {inner.Message}", inner)
    {
        FilePath = filePath;
        Unit = inner.Unit;
        Problems = inner.Problems;
        MoreProblems = inner.MoreProblems;
        LineNumber = inner.LineNumber;
        Problem = inner.Problem.Length > 0 ? inner.Problem : inner.Message;
    }

    public Gsm8kFormatException()
    {
    }

    /// <summary>The first problem's line or row (1-based); 0 when it concerns the whole file.</summary>
    public int LineNumber { get; }

    /// <summary>The first problem, without its location.</summary>
    public string Problem { get; } = "";

    /// <summary>"line" (JSONL) or "row" (Parquet).</summary>
    public string Unit { get; } = "line";

    /// <summary>Every problem found, in file order (at most <see cref="SeedSetBuilder.MaxReported"/>).</summary>
    public IReadOnlyList<ImportProblem> Problems { get; } = [];

    /// <summary>Problems found beyond <see cref="Problems"/>, counted only.</summary>
    public int MoreProblems { get; }

    /// <summary>All problems, reported and counted.</summary>
    public int ProblemCount => Problems.Count + MoreProblems;

    /// <summary>Every problem as one text, without the file: <c>line 3: ...</c> or <c>2 problems: line 3: ...; line 5: ...</c>.</summary>
    public string ProblemsText => Problems.Count == 0 ? Message : Describe(Unit, Problems, MoreProblems);

    /// <summary>The file the problem is in; null for an import from a stream.</summary>
    public string? FilePath { get; }

    /// <summary>The same problem, with <paramref name="filePath"/> in front of the message.</summary>
    public Gsm8kFormatException InFile(string filePath) => FilePath is null ? new Gsm8kFormatException(filePath, this) : this;

    /// <summary>One problem as text: <c>line 3: field "answer" is not a string</c> (just the problem for the whole file).</summary>
    public string Describe(ImportProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return Locate(Unit, problem);
    }

    private static string Locate(string unit, ImportProblem problem) =>
        problem.Number > 0 ? string.Create(CultureInfo.InvariantCulture, $"{unit} {problem.Number}: {problem.Problem}") : problem.Problem;

    private static string Describe(string unit, IReadOnlyList<ImportProblem> problems, int more)
    {
        if (problems is null || problems.Count == 0)
        {
            return "the file could not be imported";
        }
        if (problems.Count == 1 && more == 0)
        {
            return Locate(unit, problems[0]);
        }
        var total = problems.Count + more;
        var text = string.Create(CultureInfo.InvariantCulture, $"{total} problems: ") + string.Join("; ", problems.Select(p => Locate(unit, p)));
        return more > 0 ? text + string.Create(CultureInfo.InvariantCulture, $"; and {more} more") : text;
    }
}
