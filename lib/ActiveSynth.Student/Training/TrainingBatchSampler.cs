using ActiveSynth.Core.Tasks;

namespace ActiveSynth.Student.Training;

/// <summary>
/// Draws training batches as the spike does: (1 − replay) of each batch from the dataset in shuffled passes (a new
/// permutation whenever one is used up), the rest from the replay source (base pretraining data). With an empty
/// dataset every item comes from the replay source (pretraining); without a replay source, all from the dataset.
/// Deterministic for its seed.
/// </summary>
public sealed class TrainingBatchSampler
{
    private readonly IReadOnlyList<TaskItem> _dataset;
    private readonly Func<Random, TaskItem>? _replay;
    private readonly int _fromDataset;
    private readonly int _batchSize;
    private readonly Random _rng;
    private readonly Stack<TaskItem> _order = new();

    public TrainingBatchSampler(IReadOnlyList<TaskItem> dataset, Func<Random, TaskItem>? replay, double replayFraction, int batchSize, long seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (dataset.Count == 0 && replay is null)
        {
            throw new ArgumentException("Nothing to train on: the dataset is empty and there is no replay source.", nameof(dataset));
        }
        _dataset = dataset;
        _replay = replay;
        _batchSize = batchSize;
        var replayCount = replay is null ? 0 : dataset.Count == 0 ? batchSize : (int)Math.Round(replayFraction * batchSize);
        _fromDataset = batchSize - replayCount;
        _rng = new Random(unchecked((int)(seed ^ (seed >> 32))));
    }

    /// <summary>A replay source that samples uniformly from a fixed pool (e.g. the base checkpoint's replay.jsonl).</summary>
    public static Func<Random, TaskItem> FromPool(IReadOnlyList<TaskItem> pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        if (pool.Count == 0)
        {
            throw new ArgumentException("The replay pool is empty.", nameof(pool));
        }
        return rng => pool[rng.Next(pool.Count)];
    }

    public IReadOnlyList<TaskItem> Next()
    {
        var batch = new List<TaskItem>(_batchSize);
        for (var i = 0; i < _fromDataset; i++)
        {
            if (_order.Count == 0)
            {
                foreach (var index in Permutation(_dataset.Count))
                {
                    _order.Push(_dataset[index]);
                }
            }
            batch.Add(_order.Pop());
        }
        while (batch.Count < _batchSize)
        {
            batch.Add(_replay!(_rng));
        }
        return batch;
    }

    private int[] Permutation(int n)
    {
        var p = Enumerable.Range(0, n).ToArray();
        _rng.Shuffle(p);
        return p;
    }
}
