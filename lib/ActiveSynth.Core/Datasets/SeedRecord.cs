namespace ActiveSynth.Core.Datasets;

/// <summary>
/// One record of a seed or test file as its reader found it (a JSONL line, a Parquet row), before the checks every format
/// shares. A null field is absent (optional fields) or was already reported by the reader (a required field missing or of
/// the wrong type).
/// </summary>
public sealed record SeedRecord(string? Question, string? Answer, string? Id = null, string? Family = null, long? Difficulty = null);
