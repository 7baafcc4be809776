using ActiveSynth.Core.Tasks;
using ActiveSynth.Core.Tasks.Graders;

namespace ActiveSynth.Core.Datasets;

/// <summary>
/// Turns the records of a seed or test file into <see cref="TaskItem"/>s with the checks every format shares (JSONL in
/// <see cref="Gsm8kJsonl"/>, Parquet in the command line), and collects every problem instead of stopping at the first:
/// a user fixing a file sees all its bad lines (or rows) in one go. <see cref="Build"/> returns the items only when there
/// was no problem at all, so nothing is ever half imported; otherwise it throws one <see cref="Gsm8kFormatException"/>
/// holding the first <see cref="MaxReported"/> problems and the count of the rest.
/// </summary>
public sealed class SeedSetBuilder
{
    /// <summary>Problems kept for the report; past this only their number is counted.</summary>
    public const int MaxReported = 100;

    private readonly Gsm8kImportOptions _options;
    private readonly TaskFamilyRegistry _registry;
    private readonly List<TaskItem> _items = [];
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly List<ImportProblem> _problems = [];
    private int _unreported;

    /// <param name="options">Limits, the default family and the id prefix.</param>
    /// <param name="unit">What a record is called in messages: <c>line</c> (JSONL) or <c>row</c> (Parquet).</param>
    /// <param name="registry">The families items may have; default <see cref="TaskFamilyRegistry.Default"/>.</param>
    public SeedSetBuilder(Gsm8kImportOptions options, string unit = "line", TaskFamilyRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(unit);
        _options = options;
        _registry = registry ?? TaskFamilyRegistry.Default;
        Unit = unit;
        if (!_registry.IsKnown(options.Family))
        {
            FailFile($"unknown family '{options.Family}'; known: {string.Join(", ", _registry.AllNames)}");
        }
    }

    /// <summary><c>line</c> or <c>row</c>.</summary>
    public string Unit { get; }

    /// <summary>Items accepted so far.</summary>
    public int ItemCount => _items.Count;

    /// <summary>Problems found so far (reported or only counted).</summary>
    public int ProblemCount => _problems.Count + _unreported;

    /// <summary>True once a problem concerns the whole file (a limit, an unknown family): readers stop reading then.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Records a problem on record <paramref name="number"/> that the reader found (unreadable, wrong types).</summary>
    public void Reject(int number, string problem)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(number);
        ArgumentException.ThrowIfNullOrWhiteSpace(problem);
        Report(new ImportProblem(number, problem));
    }

    /// <summary>Records a problem with the whole file (number 0); reading stops.</summary>
    public void FailFile(string problem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(problem);
        Stopped = true;
        Report(new ImportProblem(0, problem));
    }

    /// <summary>
    /// Checks record <paramref name="number"/> and keeps it as an item when nothing is wrong with it.
    /// <paramref name="readProblems"/> are what its reader already found (a missing field, a wrong type): every problem of
    /// one record is reported together.
    /// </summary>
    public void Add(int number, SeedRecord record, IReadOnlyList<string>? readProblems = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(number);
        ArgumentNullException.ThrowIfNull(record);
        if (Stopped)
        {
            return;
        }
        if (_items.Count >= _options.MaxItems)
        {
            Stopped = true;
            Report(new ImportProblem(number, $"more than {_options.MaxItems} items"));
            return;
        }
        var problems = new List<string>(readProblems ?? []);
        NotEmpty(record.Question, _options.QuestionField, problems);
        NotEmpty(record.Answer, _options.AnswerField, problems);
        var family = record.Family ?? _options.Family;
        if (record.Family is not null && !_registry.IsKnown(record.Family))
        {
            problems.Add($"field \"family\": unknown family '{Shorten(record.Family)}'; known: {string.Join(", ", _registry.AllNames)}");
        }
        else if (_options.RequireFinalAnswer && !string.IsNullOrWhiteSpace(record.Answer))
        {
            CheckFinalAnswer(record.Answer, family, _options.AnswerField, problems);
        }
        var id = record.Id ?? FormattableString.Invariant($"{_options.IdPrefix}-{number}");
        if (id.Length == 0 || id.Contains('/', StringComparison.Ordinal))
        {
            problems.Add("field \"id\" is empty or contains '/'");
        }
        else if (_ids.Contains(id))
        {
            problems.Add($"duplicate id '{Shorten(id)}'");
        }
        if (record.Difficulty is < 0 or > int.MaxValue)
        {
            problems.Add("field \"difficulty\" is not a non-negative integer");
        }
        if (problems.Count > 0)
        {
            Report(new ImportProblem(number, string.Join("; ", problems)));
            return;
        }
        _ids.Add(id);
        // An alias ("reverse") is stored as the family's own name ("rev"): graders and reports look families up by that name.
        var canonical = _registry.Find(family)?.Name ?? family;
        _items.Add(new TaskItem(id, canonical, (int)(record.Difficulty ?? 0), record.Question!, record.Answer!));
    }

    /// <summary>The items, when no record had a problem; otherwise throws every problem found (the first <see cref="MaxReported"/>).</summary>
    public IReadOnlyList<TaskItem> Build() =>
        ProblemCount == 0 ? _items : throw new Gsm8kFormatException(Unit, _problems, _unreported);

    private void CheckFinalAnswer(string answer, string family, string field, List<string> problems)
    {
        var raw = FinalAnswerText.Extract(answer);
        if (raw is null)
        {
            problems.Add($"field \"{field}\" has no final answer line (#### <answer>)");
        }
        else if (_registry.GraderFor(family).ExtractFinalAnswer(answer) is null)
        {
            var hint = family == TaskFamilyRegistry.ImportedFamily ? $" (import text answers with family '{TaskFamilyRegistry.TextFamily}')" : "";
            problems.Add($"field \"{field}\": final answer '{Shorten(raw)}' is not an answer of family '{family}'{hint}");
        }
    }

    private static void NotEmpty(string? value, string field, List<string> problems)
    {
        if (value is not null && string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"field \"{field}\" is empty");
        }
    }

    private void Report(ImportProblem problem)
    {
        if (_problems.Count < MaxReported)
        {
            _problems.Add(problem);
        }
        else
        {
            _unreported++;
        }
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "...";
}
