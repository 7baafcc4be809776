using ActiveSynth.Core.Tasks;

namespace ActiveSynth.Student.Grading;

/// <summary>
/// Fallback grader for items whose family has no registered grader: the final answer is the text after the last
/// <c>####</c> up to the end of that line, trimmed; answers match when equal (ordinal).
/// </summary>
public sealed class FinalAnswerGrader : IAnswerGrader
{
    public static FinalAnswerGrader Instance { get; } = new();

    public string? ExtractFinalAnswer(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var at = output.LastIndexOf("####", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }
        var rest = output[(at + 4)..];
        var end = rest.IndexOf('\n', StringComparison.Ordinal);
        var answer = (end >= 0 ? rest[..end] : rest).Trim();
        return answer.Length == 0 ? null : answer;
    }

    public bool IsCorrect(string output, string referenceAnswer)
    {
        var student = ExtractFinalAnswer(output);
        return student is not null && string.Equals(student, ExtractFinalAnswer(referenceAnswer) ?? referenceAnswer.Trim(), StringComparison.Ordinal);
    }
}

/// <summary>Picks each item's grader by family name; families without one use <see cref="FinalAnswerGrader"/> (or the given fallback).</summary>
public sealed class GraderLookup
{
    private readonly Dictionary<string, IAnswerGrader> _byFamily;
    private readonly IAnswerGrader _fallback;

    public GraderLookup(IEnumerable<ITaskFamily> families, IAnswerGrader? fallback = null)
    {
        ArgumentNullException.ThrowIfNull(families);
        _byFamily = families.ToDictionary(f => f.Name, f => f.Grader, StringComparer.Ordinal);
        _fallback = fallback ?? FinalAnswerGrader.Instance;
    }

    /// <summary>
    /// Every family of <paramref name="registry"/>, procedural and imported (<c>gsm8k</c>, <c>text</c>), by its own grader:
    /// the graders the teacher's validation and the spec checks use too, so an imported item is graded the same way everywhere.
    /// </summary>
    public GraderLookup(TaskFamilyRegistry registry, IAnswerGrader? fallback = null)
        : this(registry?.Families ?? throw new ArgumentNullException(nameof(registry)), fallback)
    {
        foreach (var family in registry.DatasetFamilies)
        {
            _byFamily[family.Name] = family.Grader;
        }
    }

    public static GraderLookup Default { get; } = new([]);

    public IAnswerGrader For(string family) => _byFamily.TryGetValue(family, out var grader) ? grader : _fallback;
}
