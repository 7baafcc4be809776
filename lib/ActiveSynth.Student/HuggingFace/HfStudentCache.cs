using ActiveSynth.Student.Checkpoints;
using static TorchSharp.torch;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// One Hugging Face base model kept loaded between requests (with an adapter of its options' settings attached), which
/// takes each request's checkpoint adapter: a run with a real model then reads the base weights once per process, not
/// once per round, and scoring, training and evaluation in one process share one copy. One lease at a time, since the
/// adapter in the model is the lease's: concurrent requests for HF checkpoints wait for each other (they are CPU- or
/// GPU-bound anyway). A checkpoint of another base, or of the same base with other options, replaces the kept model.
/// </summary>
public sealed class HfStudentCache(HfCheckpointStore store, Device device) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (string Key, HfStudent Student)? _kept;
    private int _baseLoads;

    public HfCheckpointStore Store { get; } = store;

    public Device Device { get; } = device;

    /// <summary>How many times a base model was read from disk (a cache miss).</summary>
    public int BaseLoads => Volatile.Read(ref _baseLoads);

    /// <summary>The student of the checkpoint at <paramref name="path"/>, verified against <paramref name="sha256"/>; dispose the lease when done.</summary>
    /// <exception cref="CheckpointException">The checkpoint, its adapter or its base is missing, changed or unusable.</exception>
    public async Task<HfStudentLease> AcquireAsync(string path, string? sha256, CancellationToken ct = default)
    {
        var (info, manifest) = await Store.VerifyAsync(path, sha256, ct).ConfigureAwait(false);
        var key = $"{manifest.BasePath}\n{manifest.BaseFingerprint}\n{string.Join("\n", manifest.Options.OrderBy(o => o.Key, StringComparer.Ordinal))}";
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var hit = _kept is { } kept && kept.Key == key;
            if (!hit)
            {
                _kept?.Student.Dispose();
                _kept = null;
                _kept = (key, Store.LoadBase(path, manifest, Device, attachLora: true));
                Interlocked.Increment(ref _baseLoads);
            }
            var student = _kept!.Value.Student;
            Store.ApplyAdapter(student, path, manifest);
            return new HfStudentLease(student, info, manifest, hit, _gate);
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    public void Dispose()
    {
        _kept?.Student.Dispose();
        _kept = null;
        _gate.Dispose();
    }
}

/// <summary>The cache's student, holding the cache until disposed.</summary>
public sealed class HfStudentLease(HfStudent student, CheckpointInfo checkpoint, HfCheckpointManifest manifest, bool cacheHit, SemaphoreSlim gate) : IDisposable
{
    private int _released;

    public HfStudent Student { get; } = student;

    public CheckpointInfo Checkpoint { get; } = checkpoint;

    public HfCheckpointManifest Manifest { get; } = manifest;

    public bool CacheHit { get; } = cacheHit;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            gate.Release();
        }
    }
}
