using System.Globalization;
using System.Text.RegularExpressions;
using ActiveSynth.Core.Tasks.Graders;

namespace ActiveSynth.Core.Tasks.Families;

/// <summary>
/// List manipulation ("list"): a short list of digits, d - 1 transformations, then one reduction to a number;
/// difficulty d = 1..5 is the number of operations.
/// <c>list 3 8 1 5: sort, drop 1, sum</c> → <c>sort: 1 3 5 8\ndrop 1: 3 5 8\nsum: 16\n#### 16</c>.
/// </summary>
public sealed partial class ListFamily : ITaskFamily
{
    private static readonly string[] Reductions = ["sum", "max", "min", "first", "last"];

    public static ListFamily Instance { get; } = new();

    public string Name => "list";

    public int MinDifficulty => 1;

    public int MaxDifficulty => 5;

    public IAnswerGrader Grader => NumericAnswerGrader.Instance;

    public TaskItem Generate(string id, int difficulty, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(difficulty, MinDifficulty);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(difficulty, MaxDifficulty);
        var values = Enumerable.Range(0, rng.Next(4, 7)).Select(_ => rng.Next(1, 10)).ToList();
        var length = values.Count;
        var ops = new List<string>();
        for (var i = 0; i < difficulty - 1; i++)
        {
            // Drop/take keep at least two values, so later operations still have something to do.
            var op = rng.Next(length > 3 ? 6 : 4) switch
            {
                0 => "sort",
                1 => "reverse",
                2 => FormattableString.Invariant($"add {rng.Next(1, 6)}"),
                3 => "double",
                4 => FormattableString.Invariant($"drop {rng.Next(1, length - 2)}"),
                _ => FormattableString.Invariant($"take {rng.Next(2, length)}"),
            };
            length = op.StartsWith("drop", StringComparison.Ordinal) ? length - int.Parse(op[5..], CultureInfo.InvariantCulture)
                : op.StartsWith("take", StringComparison.Ordinal) ? int.Parse(op[5..], CultureInfo.InvariantCulture) : length;
            ops.Add(op);
        }
        ops.Add(Reductions[rng.Next(Reductions.Length)]);
        var question = $"list {string.Join(' ', values)}: {string.Join(", ", ops)}";
        return new TaskItem(id, Name, difficulty, question, Solve(question)!.Answer);
    }

    public TaskSolution? Solve(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var match = Problem().Match(question.Trim());
        if (!match.Success)
        {
            return null;
        }
        var values = match.Groups["values"].Value.Split(' ').Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToList();
        var ops = match.Groups["ops"].Value.Split(", ");
        var lines = new List<string>();
        for (var i = 0; i < ops.Length - 1; i++)
        {
            var parts = ops[i].Split(' ');
            var n = parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 0;
            values = parts[0] switch
            {
                "sort" => values.Order().ToList(),
                "reverse" => Enumerable.Reverse(values).ToList(),
                "add" => values.Select(v => v + n).ToList(),
                "double" => values.Select(v => v * 2).ToList(),
                "drop" => values.Skip(n).ToList(),
                "take" => values.Take(n).ToList(),
                _ => null!,
            };
            if (values is null || values.Count == 0)
            {
                return null;
            }
            lines.Add($"{ops[i]}: {string.Join(' ', values)}");
        }
        var result = ops[^1] switch
        {
            "sum" => values.Sum(),
            "max" => values.Max(),
            "min" => values.Min(),
            "first" => values[0],
            _ => values[^1],
        };
        var answer = result.ToString(CultureInfo.InvariantCulture);
        lines.Add($"{ops[^1]}: {answer}");
        return new TaskSolution(Gsm8kAnswer.Format(lines, answer), ops.Length);
    }

    [GeneratedRegex(@"^list (?<values>\d{1,4}(?: \d{1,4}){0,11}): (?<ops>(?:(?:sort|reverse|double|add \d{1,2}|drop \d{1,2}|take \d{1,2}), ){0,8}(?:sum|max|min|first|last))$")]
    private static partial Regex Problem();
}
