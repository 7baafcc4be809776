using static TorchSharp.torch;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// Keys and values of every layer so far, (B, kv_heads, S, head_dim), grown by concatenation. Concatenation copies the
/// cache once per step, which is small next to the projections for the answer lengths a scorer decodes. The cache owns
/// its tensors (they leave the step's dispose scope) and frees them on <see cref="Dispose"/>.
/// </summary>
public sealed class HfKvCache : IDisposable
{
    private readonly LayerCache[] _layers;

    public HfKvCache(int layers)
    {
        _layers = [.. Enumerable.Range(0, layers).Select(_ => new LayerCache())];
    }

    public LayerCache Layer(int index) => _layers[index];

    /// <summary>Cached positions (0 before the first forward).</summary>
    public long Length => _layers.Length == 0 || _layers[0].Keys is null ? 0 : _layers[0].Keys!.shape[2];

    public void Dispose()
    {
        foreach (var layer in _layers)
        {
            layer.Dispose();
        }
    }

    public sealed class LayerCache : IDisposable
    {
        public Tensor? Keys { get; private set; }

        public Tensor? Values { get; private set; }

        /// <summary>Appends this step's keys and values; returns everything cached (including them).</summary>
        public (Tensor Keys, Tensor Values) Append(Tensor keys, Tensor values)
        {
            var k = Keys is null ? keys.clone() : cat([Keys, keys], 2);
            var v = Values is null ? values.clone() : cat([Values, values], 2);
            Keys?.Dispose();
            Values?.Dispose();
            Keys = k.DetachFromDisposeScope();
            Values = v.DetachFromDisposeScope();
            return (Keys, Values);
        }

        public void Dispose()
        {
            Keys?.Dispose();
            Values?.Dispose();
        }
    }
}
