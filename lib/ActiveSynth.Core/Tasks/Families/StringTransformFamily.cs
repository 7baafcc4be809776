using ActiveSynth.Core.Tasks.Graders;

namespace ActiveSynth.Core.Tasks.Families;

/// <summary>
/// The learnable string families of the embedded benchmark ("v7": copy, rev, shift) and of the third benchmark ("letters":
/// swap, back, rot, other transforms of the same shape): a word of
/// 2d+1 lowercase letters at difficulty d = 1..4, transformed letter by letter. The format is kept compact
/// because the tiny student's context is about 96 characters:
/// question <c>rev rjwdr</c>, answer <c>r,d,w,j,r\n#### rdwjr</c> (chain of thought = the output letters
/// comma-separated, then the output word).
/// </summary>
public sealed class StringTransformFamily : ITaskFamily
{
    /// <summary>Longest word <see cref="Solve"/> accepts: longer inputs are not questions of this family.</summary>
    public const int MaxWordLength = 40;

    private readonly Func<string, string> _transform;

    private StringTransformFamily(string name, Func<string, string> transform)
    {
        Name = name;
        _transform = transform;
    }

    /// <summary><c>copy abc</c> → <c>abc</c>.</summary>
    public static StringTransformFamily Copy { get; } = new("copy", word => word);

    /// <summary><c>rev abc</c> → <c>cba</c>.</summary>
    public static StringTransformFamily Reverse { get; } = new("rev", word => new string(word.Reverse().ToArray()));

    /// <summary><c>shift abz</c> → <c>bca</c> (Caesar +1, z wraps to a).</summary>
    public static StringTransformFamily Shift { get; } = new("shift", word => new string(word.Select(c => c == 'z' ? 'a' : (char)(c + 1)).ToArray()));

    /// <summary><c>swap abcde</c> → <c>badce</c> (neighbours swapped in pairs; an odd word's last letter stays).</summary>
    public static StringTransformFamily Swap { get; } = new("swap", word => new string(word.Select((_, i) => i % 2 == 0
        ? (i + 1 < word.Length ? word[i + 1] : word[i])
        : word[i - 1]).ToArray()));

    /// <summary><c>back bca</c> → <c>abz</c> (Caesar −1, a wraps to z).</summary>
    public static StringTransformFamily Back { get; } = new("back", word => new string(word.Select(c => c == 'a' ? 'z' : (char)(c - 1)).ToArray()));

    /// <summary><c>rot abcde</c> → <c>bcdea</c> (rotated left by one letter).</summary>
    public static StringTransformFamily Rotate { get; } = new("rot", word => word[1..] + word[0]);

    public string Name { get; }

    public int MinDifficulty => 1;

    public int MaxDifficulty => 4;

    public IAnswerGrader Grader => WordAnswerGrader.Instance;

    /// <summary>Letters in a word of difficulty <paramref name="difficulty"/>: 2d+1.</summary>
    public static int LengthOf(int difficulty) => (2 * difficulty) + 1;

    public TaskItem Generate(string id, int difficulty, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(difficulty, MinDifficulty);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(difficulty, MaxDifficulty);
        var word = new string(Enumerable.Range(0, LengthOf(difficulty)).Select(_ => (char)('a' + rng.Next(26))).ToArray());
        var question = $"{Name} {word}";
        return new TaskItem(id, Name, difficulty, question, AnswerFor(word));
    }

    public TaskSolution? Solve(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var parts = question.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || parts[0] != Name || parts[1].Length > MaxWordLength || !parts[1].All(c => c is >= 'a' and <= 'z'))
        {
            return null;
        }
        var word = parts[1];
        return new TaskSolution(AnswerFor(word), Math.Max(1, (word.Length - 1) / 2));
    }

    private string AnswerFor(string word)
    {
        var output = _transform(word);
        return Gsm8kAnswer.Format([string.Join(',', output.ToCharArray())], output);
    }
}
