namespace ActiveSynth.Core.Datasets;

/// <summary>
/// One problem found while importing a seed or test file.
/// </summary>
/// <param name="Number">The 1-based line (JSONL) or row (Parquet) it is on; 0 when it concerns the whole file.</param>
/// <param name="Problem">What is wrong, naming the field where there is one (<c>field "answer" is not a string</c>).</param>
public sealed record ImportProblem(int Number, string Problem);
