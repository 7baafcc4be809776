using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ActiveSynth.Core.Tasks.Graders;

namespace ActiveSynth.Core.Tasks.Families;

/// <summary>
/// Multi-step arithmetic word problems ("arith"): difficulty d = 1..8 is the number of steps.
/// <c>Mia has 7 pens. Mia gets 5 more. Mia doubles them. How many pens does Mia have now?</c> →
/// <c>7 + 5 = 12\n12 * 2 = 24\n#### 24</c>. Values stay in 0..999 so the answers are short.
/// </summary>
public sealed partial class ArithmeticFamily : ITaskFamily
{
    private const int MaxValue = 999;
    private static readonly string[] Names = ["Mia", "Tom", "Ana", "Leo", "Sara", "Omar", "Ivy", "Ben", "Zoe", "Raj"];
    private static readonly string[] Things = ["apples", "pens", "coins", "cards", "books", "shells", "stamps", "marbles"];

    public static ArithmeticFamily Instance { get; } = new();

    public string Name => "arith";

    public int MinDifficulty => 1;

    public int MaxDifficulty => 8;

    public IAnswerGrader Grader => NumericAnswerGrader.Instance;

    public TaskItem Generate(string id, int difficulty, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(difficulty, MinDifficulty);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(difficulty, MaxDifficulty);
        var name = Names[rng.Next(Names.Length)];
        var things = Things[rng.Next(Things.Length)];
        var value = rng.Next(2, 21);
        var question = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{name} has {value} {things}.");
        for (var step = 0; step < difficulty; step++)
        {
            var (sentence, next) = NextStep(name, value, rng);
            question.Append(' ').Append(sentence);
            value = next;
        }
        question.Append(CultureInfo.InvariantCulture, $" How many {things} does {name} have now?");
        var text = question.ToString();
        return new TaskItem(id, Name, difficulty, text, Solve(text)!.Answer);
    }

    public TaskSolution? Solve(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var match = Problem().Match(question.Trim());
        if (!match.Success || match.Groups["name"].Value != match.Groups["asked"].Value || match.Groups["things"].Value != match.Groups["askedThings"].Value)
        {
            return null;
        }
        var value = long.Parse(match.Groups["start"].Value, CultureInfo.InvariantCulture);
        var lines = new List<string>();
        foreach (Capture step in match.Groups["step"].Captures)
        {
            var s = Step().Match(step.Value);
            if (!s.Success || s.Groups["who"].Value != match.Groups["name"].Value)
            {
                return null;
            }
            var (op, operand) = s.Groups["more"].Success ? ('+', long.Parse(s.Groups["more"].Value, CultureInfo.InvariantCulture))
                : s.Groups["less"].Success ? ('-', long.Parse(s.Groups["less"].Value, CultureInfo.InvariantCulture))
                : ('*', s.Groups["mul"].Value == "doubles" ? 2L : 3L);
            var next = op switch { '+' => value + operand, '-' => value - operand, _ => value * operand };
            lines.Add(FormattableString.Invariant($"{value} {op} {operand} = {next}"));
            value = next;
        }
        return lines.Count == 0 ? null : new TaskSolution(Gsm8kAnswer.Format(lines, value.ToString(CultureInfo.InvariantCulture)), lines.Count);
    }

    private static (string Sentence, int Next) NextStep(string name, int value, Random rng)
    {
        // Multiplication only while the result stays small; subtraction only when something is left to give.
        var canMultiply = value * 3 <= MaxValue && value > 0;
        var choice = rng.Next(canMultiply ? 4 : 3);
        if (choice == 1 && value >= 2)
        {
            var k = rng.Next(1, Math.Min(value, 10) + 1);
            return ($"{name} gives away {k}.", value - k);
        }
        if (choice >= 2 && canMultiply)
        {
            return rng.Next(2) == 0 ? ($"{name} doubles them.", value * 2) : ($"{name} triples them.", value * 3);
        }
        var add = rng.Next(1, 11);
        if (value + add > MaxValue)
        {
            var k = rng.Next(1, Math.Min(value, 10) + 1);
            return ($"{name} gives away {k}.", value - k);
        }
        return ($"{name} gets {add} more.", value + add);
    }

    [GeneratedRegex(@"^(?<name>[A-Z][a-z]+) has (?<start>\d{1,6}) (?<things>[a-z]+)\.(?<step> [A-Z][a-z]+ (?:gets \d{1,6} more|gives away \d{1,6}|doubles them|triples them)\.){1,16} How many (?<askedThings>[a-z]+) does (?<asked>[A-Z][a-z]+) have now\?$")]
    private static partial Regex Problem();

    [GeneratedRegex(@"^ (?<who>[A-Z][a-z]+) (?:gets (?<more>\d{1,6}) more|gives away (?<less>\d{1,6})|(?<mul>doubles|triples) them)\.$")]
    private static partial Regex Step();
}
