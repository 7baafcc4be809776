namespace ActiveSynth.Core.Tasks;

/// <summary>
/// A family of imported data (a seed or test file): a name and a grader, but no generator and no solver, so it can
/// label and grade items but cannot make new ones. <c>gsm8k</c> (numeric answers, GSM8K's conventions) and <c>text</c>
/// (short text answers) are registered by default.
/// </summary>
/// <param name="Name">The family name items and run specs use (<c>TaskSpec.imported_family</c>, the JSONL "family" field).</param>
/// <param name="Grader">How a model's final answer is compared with the reference.</param>
/// <param name="Description">One line for error messages and help: what answers it grades.</param>
public sealed record DatasetFamily(string Name, IAnswerGrader Grader, string Description);
