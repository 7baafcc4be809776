using TorchSharp;
using static TorchSharp.torch;
using M = TorchSharp.Modules;

namespace ActiveSynth.Student.Modeling;

/// <summary>
/// The embedded student: a small GPT (pre-LN blocks, learned absolute positions, GELU feed-forward, untied head),
/// a faithful port of the student of the Python spike behind the v7 recipe (docs/architecture.md). State-dict keys match the spike's
/// (<c>tok.weight</c>, <c>blocks.0.qkv.weight</c>, <c>blocks.0.ff.0.weight</c>, <c>lnf.weight</c>, <c>head.weight</c>).
/// </summary>
public sealed class StudentTransformer : nn.Module
{
#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly M.Embedding tok;
    private readonly M.Embedding pos;
    private readonly M.ModuleList<TransformerBlock> blocks;
    private readonly M.LayerNorm lnf;
    private readonly M.Linear head;
#pragma warning restore IDE1006

    public StudentTransformer(StudentModelConfig config) : base(nameof(StudentTransformer))
    {
        config.Validate();
        if (config.VocabSize < 4)
        {
            throw new ArgumentException($"VocabSize is {config.VocabSize}: create the model through StudentModel.Create, which takes it from the tokenizer.", nameof(config));
        }
        Config = config;
        tok = nn.Embedding(config.VocabSize, config.DModel);
        pos = nn.Embedding(config.Context, config.DModel);
        blocks = nn.ModuleList([.. Enumerable.Range(0, config.Layers).Select(_ => new TransformerBlock(config))]);
        lnf = nn.LayerNorm(config.DModel);
        head = nn.Linear(config.DModel, config.VocabSize, hasBias: false);
        RegisterComponents();
    }

    public StudentModelConfig Config { get; }

    public int LayerCount => blocks.Count;

    /// <summary>
    /// Logits for every position. <paramref name="mask"/>: boolean (B,1,Tq,Tk), true = may attend; null = plain causal
    /// (right-padded training/teacher-forced batches). With <paramref name="cache"/>, the new keys/values are written at
    /// <paramref name="cacheOffset"/> and attention covers cache positions [0, offset + T).
    /// </summary>
    public Tensor Forward(Tensor idx, Tensor positions, Tensor? mask = null, KvCache? cache = null, long cacheOffset = 0) =>
        Forward(idx, positions, mask, cache, cacheOffset, out _, keepHidden: false);

    /// <summary>As <see cref="Forward(Tensor, Tensor, Tensor?, KvCache?, long)"/>, also returning the final normalised hidden state (B,T,d): the LM head's input.</summary>
    public Tensor Forward(Tensor idx, Tensor positions, Tensor? mask, KvCache? cache, long cacheOffset, out Tensor hidden) =>
        Forward(idx, positions, mask, cache, cacheOffset, out hidden, keepHidden: true);

    private Tensor Forward(Tensor idx, Tensor positions, Tensor? mask, KvCache? cache, long cacheOffset, out Tensor hidden, bool keepHidden)
    {
        var x = tok.forward(idx) + pos.forward(positions);
        for (var i = 0; i < blocks.Count; i++)
        {
            x = blocks[i].Forward(x, mask, cache?.Layer(i), cacheOffset);
        }
        var h = lnf.forward(x);
        hidden = keepHidden ? h : null!;
        return head.forward(h);
    }

    /// <summary>The LM head alone: logits of final hidden states (the scorer applies it only where it reads logits).</summary>
    public Tensor Head(Tensor hidden) => head.forward(hidden);

    /// <summary>Total number of trainable parameters.</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());
}

/// <summary>One pre-LN block: x + attn(ln1(x)); x + ff(ln2(x)).</summary>
public sealed class TransformerBlock : nn.Module
{
#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly M.LayerNorm ln1;
    private readonly M.LayerNorm ln2;
    private readonly M.Linear qkv;
    private readonly M.Linear proj;
    private readonly M.Sequential ff;
#pragma warning restore IDE1006
    private readonly int _heads;
    private readonly int _dModel;

    public TransformerBlock(StudentModelConfig config) : base(nameof(TransformerBlock))
    {
        _heads = config.Heads;
        _dModel = config.DModel;
        ln1 = nn.LayerNorm(config.DModel);
        ln2 = nn.LayerNorm(config.DModel);
        qkv = nn.Linear(config.DModel, 3 * config.DModel);
        proj = nn.Linear(config.DModel, config.DModel);
        ff = nn.Sequential(
            ("0", nn.Linear(config.DModel, config.FeedForwardOrDefault)),
            ("1", nn.GELU()),
            ("2", nn.Linear(config.FeedForwardOrDefault, config.DModel)));
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, Tensor? mask, KvCache.LayerCache? cache, long cacheOffset)
    {
        var batch = x.shape[0];
        var time = x.shape[1];
        var headDim = _dModel / _heads;
        var parts = qkv.forward(ln1.forward(x)).split(_dModel, 2);
        var q = parts[0].view(batch, time, _heads, headDim).transpose(1, 2);
        var k = parts[1].view(batch, time, _heads, headDim).transpose(1, 2);
        var v = parts[2].view(batch, time, _heads, headDim).transpose(1, 2);
        if (cache is not null)
        {
            cache.Keys.narrow(2, cacheOffset, time).copy_(k);
            cache.Values.narrow(2, cacheOffset, time).copy_(v);
            k = cache.Keys.narrow(2, 0, cacheOffset + time);
            v = cache.Values.narrow(2, 0, cacheOffset + time);
        }
        var y = nn.functional.scaled_dot_product_attention(q, k, v, mask, 0.0, mask is null);
        y = y.transpose(1, 2).reshape(batch, time, _dModel);
        x = x + proj.forward(y);
        return x + ff.forward(ln2.forward(x));
    }
}

/// <summary>
/// Preallocated key/value buffers, one pair per layer: (B, heads, capacity, head_dim). Uninitialised: attention only
/// reads positions already written. <see cref="EnsureCapacity"/> grows them (doubling) when decoding runs long.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly LayerCache[] _layers;

    public KvCache(StudentModelConfig config, long batch, long capacity, Device device)
    {
        ArgumentNullException.ThrowIfNull(config);
        var headDim = config.DModel / config.Heads;
        Capacity = capacity;
        _layers = [.. Enumerable.Range(0, config.Layers).Select(_ => new LayerCache(
            torch.empty(batch, config.Heads, capacity, headDim, device: device),
            torch.empty(batch, config.Heads, capacity, headDim, device: device)))];
    }

    public long Capacity { get; private set; }

    public LayerCache Layer(int index) => _layers[index];

    /// <summary>Makes room for at least <paramref name="needed"/> positions, keeping what was written.</summary>
    public void EnsureCapacity(long needed, long limit)
    {
        if (needed <= Capacity)
        {
            return;
        }
        var capacity = Math.Min(Math.Max(needed, Capacity * 2), Math.Max(needed, limit));
        foreach (var layer in _layers)
        {
            layer.Keys = Grow(layer.Keys, Capacity, capacity);
            layer.Values = Grow(layer.Values, Capacity, capacity);
        }
        Capacity = capacity;
    }

    private static Tensor Grow(Tensor old, long used, long capacity)
    {
        var shape = old.shape;
        shape[2] = capacity;
        var grown = torch.empty(shape, old.dtype, old.device);
        grown.narrow(2, 0, used).copy_(old.narrow(2, 0, used));
        old.Dispose();
        return grown.DetachFromDisposeScope();
    }

    public void Dispose()
    {
        foreach (var layer in _layers)
        {
            layer.Keys.Dispose();
            layer.Values.Dispose();
        }
    }

    public sealed class LayerCache(Tensor keys, Tensor values)
    {
        public Tensor Keys { get; internal set; } = keys;

        public Tensor Values { get; internal set; } = values;
    }
}
