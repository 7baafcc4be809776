namespace ActiveSynth.Student.Scoring;

/// <summary>
/// A student to score or evaluate with, whichever kind it is (the embedded model from its LRU cache, a Hugging Face base
/// with a checkpoint's adapter), held until disposed.
/// </summary>
public sealed class ScoringStudentLease(IScoringStudent model, string checkpointId, bool cacheHit, IDisposable owner) : IDisposable
{
    public IScoringStudent Model { get; } = model;

    public string CheckpointId { get; } = checkpointId;

    public bool CacheHit { get; } = cacheHit;

    public void Dispose() => owner.Dispose();
}
