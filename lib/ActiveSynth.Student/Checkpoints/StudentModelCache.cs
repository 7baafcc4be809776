using ActiveSynth.Student.Modeling;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Checkpoints;

/// <summary>
/// Loaded models kept in memory, least recently used first out, keyed by the weights' sha256 (a checkpoint's
/// identity). Callers hold a lease while they use a model: an evicted model is disposed only once its last lease
/// is released. Concurrent requests for the same checkpoint load it once.
/// </summary>
public sealed class StudentModelCache : IDisposable
{
    private readonly CheckpointStore _store;
    private readonly Device _device;
    private readonly int _capacity;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly LinkedList<Entry> _lru = new();
    private readonly Dictionary<string, Task<LoadedCheckpoint>> _loading = new(StringComparer.OrdinalIgnoreCase);
    private bool _disposed;

    public StudentModelCache(CheckpointStore store, Device device, int capacity)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _store = store;
        _device = device;
        _capacity = capacity;
    }

    /// <summary>Models currently held (in use or cached).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Loads (or reuses) the checkpoint at <paramref name="path"/> whose weights have <paramref name="sha256"/>; dispose the lease when done.</summary>
    /// <exception cref="CheckpointException">The checkpoint is missing, corrupted or not the one asked for.</exception>
    public async Task<ModelLease> AcquireAsync(string path, string sha256, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(sha256);
        Task<LoadedCheckpoint> loading;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.TryGetValue(sha256, out var hit))
            {
                return Lease(hit, cacheHit: true);
            }
            if (!_loading.TryGetValue(sha256, out loading!))
            {
                loading = _store.LoadAsync(path, sha256, _device, loadOptimizerState: false, CancellationToken.None);
                _loading[sha256] = loading;
            }
        }
        LoadedCheckpoint loaded;
        try
        {
            loaded = await loading.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (CheckpointException)
        {
            lock (_lock)
            {
                _loading.Remove(sha256);
            }
            throw;
        }
        lock (_lock)
        {
            _loading.Remove(sha256);
            if (!_entries.TryGetValue(sha256, out var entry))
            {
                entry = new Entry(sha256, loaded.Info, loaded.Model);
                entry.Node = _lru.AddFirst(entry);
                _entries[sha256] = entry;
            }
            else if (!ReferenceEquals(entry.Model, loaded.Model))
            {
                loaded.Model.Dispose();
            }
            var lease = Lease(entry, cacheHit: false);
            EvictLocked();
            return lease;
        }
    }

    private ModelLease Lease(Entry entry, bool cacheHit)
    {
        entry.Leases++;
        _lru.Remove(entry.Node!);
        _lru.AddFirst(entry.Node!);
        return new ModelLease(this, entry, cacheHit);
    }

    private void Release(Entry entry)
    {
        lock (_lock)
        {
            entry.Leases--;
            if (entry.Evicted && entry.Leases == 0)
            {
                entry.Model.Dispose();
            }
            EvictLocked();
        }
    }

    private void EvictLocked()
    {
        var node = _lru.Last;
        while (_entries.Count > _capacity && node is not null)
        {
            var previous = node.Previous;
            var entry = node.Value;
            if (entry.Leases == 0)
            {
                _lru.Remove(node);
                _entries.Remove(entry.Sha256);
                entry.Evicted = true;
                entry.Model.Dispose();
            }
            node = previous;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var entry in _entries.Values)
            {
                entry.Evicted = true;
                if (entry.Leases == 0)
                {
                    entry.Model.Dispose();
                }
            }
            _entries.Clear();
            _lru.Clear();
        }
    }

    internal sealed class Entry(string sha256, CheckpointInfo info, StudentModel model)
    {
        public string Sha256 { get; } = sha256;
        public CheckpointInfo Info { get; } = info;
        public StudentModel Model { get; } = model;
        public int Leases { get; set; }
        public bool Evicted { get; set; }
        public LinkedListNode<Entry>? Node { get; set; }
    }

    /// <summary>Use of a cached model; dispose to release it.</summary>
    public sealed class ModelLease : IDisposable
    {
        private readonly StudentModelCache _owner;
        private readonly Entry _entry;
        private int _released;

        internal ModelLease(StudentModelCache owner, Entry entry, bool cacheHit)
        {
            _owner = owner;
            _entry = entry;
            CacheHit = cacheHit;
        }

        public StudentModel Model => _entry.Model;

        public CheckpointInfo Checkpoint => _entry.Info;

        /// <summary>True when the model was already loaded.</summary>
        public bool CacheHit { get; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                _owner.Release(_entry);
            }
        }
    }
}
