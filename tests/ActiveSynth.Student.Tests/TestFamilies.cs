using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Grading;
using ActiveSynth.Student.Modeling;
using ActiveSynth.Student.Tokenization;
using TorchSharp;

namespace ActiveSynth.Student.Tests;

/// <summary>Minimal string families in the spike's format (<c>copy abc</c> → <c>a,b,c #### abc</c>), for tests only.</summary>
internal sealed class StringFamily(string name, Func<string, string> transform) : ITaskFamily
{
    private const string Letters = "abcdefghijklmnopqrstuvwxyz";

    public static StringFamily Copy { get; } = new("copy", w => w);

    public static StringFamily Rev { get; } = new("rev", w => new string([.. w.Reverse()]));

    public string Name { get; } = name;

    public int MinDifficulty => 1;

    public int MaxDifficulty => 4;

    public IAnswerGrader Grader => FinalAnswerGrader.Instance;

    public TaskSolution? Solve(string question) => null;

    public TaskItem Generate(string id, int difficulty, Random rng)
    {
        var word = new string([.. Enumerable.Range(0, 2 * difficulty + 1).Select(_ => Letters[rng.Next(Letters.Length)])]);
        var output = transform(word);
        return new TaskItem(id, Name, difficulty, $"{Name} {word}", $"{string.Join(",", output.ToCharArray())} #### {output}");
    }

    public static List<TaskItem> Items(ITaskFamily family, int difficulty, int count, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => family.Generate($"{family.Name}-{seed}-{i}", difficulty, rng))];
    }
}

internal static class Tiny
{
    /// <summary>A small model that still learns copy d1 in a few hundred steps on one thread.</summary>
    public static StudentModelConfig Config { get; } = new() { DModel = 48, Layers = 2, Heads = 4, FeedForward = 96, Context = 48 };

    public static StudentModel Model(long seed = 1) => StudentModel.Create(Config, CharTokenizer.Default, torch.CPU, seed);

    public static string TempDir() => Path.Combine(Path.GetTempPath(), $"activesynth-student-{Guid.NewGuid():N}");
}
