using System.Text.RegularExpressions;
using ActiveSynth.Core.Tasks.Graders;

namespace ActiveSynth.Core.Tasks.Families;

/// <summary>
/// ProntoQA-style chained syllogisms ("logic") with true/false answers: difficulty d = 1..6 is the number of
/// hops from the fact to the queried concept. The last rule of the chain is negated half of the time (answer
/// false); from d = 2 a distractor rule about unrelated concepts is added and the rules are shuffled.
/// <c>Every wumpus is a yumpus. Every yumpus is not a zumpus. Max is a wumpus. True or false: Max is a zumpus.</c> →
/// <c>Max is a wumpus.\nEvery wumpus is a yumpus, so Max is a yumpus.\nEvery yumpus is not a zumpus, so Max is not a zumpus.\n#### false</c>.
/// </summary>
public sealed partial class LogicFamily : ITaskFamily
{
    private static readonly string[] Concepts =
        ["wumpus", "yumpus", "zumpus", "dumpus", "rompus", "numpus", "tumpus", "vumpus", "impus", "jompus", "gorpus", "lempus", "sterpus", "brimpus"];
    private static readonly string[] Entities = ["Max", "Sam", "Alex", "Fae", "Rex", "Wren", "Polly", "Stella"];

    public static LogicFamily Instance { get; } = new();

    public string Name => "logic";

    public int MinDifficulty => 1;

    public int MaxDifficulty => 6;

    public IAnswerGrader Grader => BooleanAnswerGrader.Instance;

    public TaskItem Generate(string id, int difficulty, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(difficulty, MinDifficulty);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(difficulty, MaxDifficulty);
        var concepts = Concepts.OrderBy(_ => rng.Next()).ToArray();
        var chain = concepts[..(difficulty + 1)];
        var entity = Entities[rng.Next(Entities.Length)];
        var negated = rng.Next(2) == 0;
        var rules = new List<string>();
        for (var i = 0; i < difficulty; i++)
        {
            var not = negated && i == difficulty - 1 ? "not " : "";
            rules.Add($"Every {chain[i]} is {not}a {chain[i + 1]}.");
        }
        if (difficulty >= 2)
        {
            rules.Add($"Every {concepts[difficulty + 1]} is a {concepts[difficulty + 2]}.");
            rules = rules.OrderBy(_ => rng.Next()).ToList();
        }
        var question = $"{string.Join(' ', rules)} {entity} is a {chain[0]}. True or false: {entity} is a {chain[^1]}.";
        return new TaskItem(id, Name, difficulty, question, Solve(question)!.Answer);
    }

    public TaskSolution? Solve(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var match = Problem().Match(question.Trim());
        if (!match.Success || match.Groups["entity"].Value != match.Groups["asked"].Value)
        {
            return null;
        }
        var rules = new Dictionary<string, (bool Negated, string Next)>(StringComparer.Ordinal);
        foreach (Capture capture in match.Groups["rule"].Captures)
        {
            var rule = Rule().Match(capture.Value);
            // Two rules from one concept would make the chain ambiguous: not a question of this family.
            if (!rule.Success || !rules.TryAdd(rule.Groups["from"].Value, (rule.Groups["not"].Success, rule.Groups["to"].Value)))
            {
                return null;
            }
        }
        var entity = match.Groups["entity"].Value;
        var current = match.Groups["start"].Value;
        var target = match.Groups["target"].Value;
        var lines = new List<string> { $"{entity} is a {current}." };
        var visited = new HashSet<string>(StringComparer.Ordinal) { current };
        while (current != target && rules.TryGetValue(current, out var step))
        {
            if (step.Negated)
            {
                lines.Add($"Every {current} is not a {step.Next}, so {entity} is not a {step.Next}.");
                return step.Next == target ? new TaskSolution(Gsm8kAnswer.Format(lines, "false"), lines.Count - 1) : null;
            }
            lines.Add($"Every {current} is a {step.Next}, so {entity} is a {step.Next}.");
            current = step.Next;
            if (!visited.Add(current))
            {
                return null;
            }
        }
        return current == target && lines.Count > 1 ? new TaskSolution(Gsm8kAnswer.Format(lines, "true"), lines.Count - 1) : null;
    }

    [GeneratedRegex(@"^(?<rule>Every [a-z]+ is (?:not )?an? [a-z]+\. ){1,12}(?<entity>[A-Z][a-z]+) is an? (?<start>[a-z]+)\. True or false: (?<asked>[A-Z][a-z]+) is an? (?<target>[a-z]+)\.$")]
    private static partial Regex Problem();

    [GeneratedRegex(@"^Every (?<from>[a-z]+) is (?<not>not )?an? (?<to>[a-z]+)\. $")]
    private static partial Regex Rule();
}
