namespace ActiveSynth.Core.Tasks;

/// <summary>
/// One question with its reference answer in GSM8K format: reasoning lines, then <c>#### &lt;final answer&gt;</c>.
/// Seeds, test items and generated samples all have this shape.
/// </summary>
public sealed record TaskItem(string Id, string Family, int Difficulty, string Question, string Answer);
