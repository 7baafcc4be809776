using TorchSharp;
using static TorchSharp.torch;
using M = TorchSharp.Modules;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// A Llama/Qwen2 decoder-only causal LM (transformers' <c>LlamaForCausalLM</c>, <c>Qwen2ForCausalLM</c>) with the same
/// state-dict keys: <c>model.embed_tokens.weight</c>, <c>model.layers.{i}.self_attn.{q,k,v,o}_proj.weight</c> (+ q/k/v
/// biases for Qwen2), <c>model.layers.{i}.mlp.{gate,up,down}_proj.weight</c>, <c>model.layers.{i}.input_layernorm.weight</c>,
/// <c>model.layers.{i}.post_attention_layernorm.weight</c>, <c>model.norm.weight</c>, and <c>lm_head.weight</c> unless the
/// embeddings are tied. Pre-RMSNorm blocks, rotary embeddings, grouped-query attention, SwiGLU MLP. Parameters are
/// created uninitialised in <paramref name="dtype"/>: fill them with <see cref="HfWeightLoader"/> or <see cref="InitializeRandom"/>.
/// </summary>
public sealed class HfCausalLm : nn.Module
{
#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly HfDecoderStack model;
    private readonly HfLinear? lm_head;
#pragma warning restore IDE1006
    private readonly RotaryEmbedding _rotary;

    public HfCausalLm(HfModelConfig config, ScalarType dtype) : base(nameof(HfCausalLm))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        Dtype = dtype;
        model = new HfDecoderStack(config, dtype);
        register_module("model", model);
        if (!config.TieWordEmbeddings)
        {
            lm_head = new HfLinear(config.HiddenSize, config.VocabSize, hasBias: false, dtype);
            register_module("lm_head", lm_head);
        }
        _rotary = new RotaryEmbedding(config);
    }

    public HfModelConfig Config { get; }

    public ScalarType Dtype { get; }

    public int LayerCount => model.Layers.Count;

    /// <summary>
    /// Logits (B,T,vocab) in float32 for <paramref name="ids"/> at <paramref name="positions"/> (B,T), and the final
    /// normalised hidden state (B,T,hidden; the LM head's input). <paramref name="mask"/>: boolean (B,1,T,S), true = may
    /// attend; null = plain causal over T (no cache). With <paramref name="cache"/> the new keys/values are appended.
    /// </summary>
    public Tensor Forward(Tensor ids, Tensor positions, Tensor? mask, HfKvCache? cache, out Tensor hidden)
    {
        hidden = ForwardHidden(ids, positions, mask, cache);
        return Logits(hidden);
    }

    /// <summary>The final normalised hidden state only: callers that need logits at a few positions (the last prompt
    /// token, the answer tokens) apply <see cref="Logits"/> to those, since the LM head over a 152k vocabulary costs more than a layer.</summary>
    public Tensor ForwardHidden(Tensor ids, Tensor positions, Tensor? mask, HfKvCache? cache)
    {
        var (cos, sin) = _rotary.CosSin(positions, Dtype);
        var x = model.EmbedTokens.Embed(ids);
        for (var i = 0; i < model.Layers.Count; i++)
        {
            x = model.Layers[i].Forward(x, cos, sin, mask, cache?.Layer(i));
        }
        return model.Norm.forward(x);
    }

    /// <summary>float32 logits of hidden states (any leading shape; float64 for a float64 model): the LM head, or the tied embedding matrix.</summary>
    public Tensor Logits(Tensor hidden)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        var logits = lm_head is not null ? lm_head.forward(hidden)
            : SmallBatchLinear.TryForward(hidden, model.EmbedTokens.Weight, null) ?? nn.functional.linear(hidden, model.EmbedTokens.Weight);
        return logits.dtype == ScalarType.Float64 ? logits : logits.to(ScalarType.Float32);
    }

    /// <summary>Every projection, named by its state-dict prefix (<c>model.layers.0.self_attn.q_proj</c>): where LoRA attaches.</summary>
    public IEnumerable<(string Name, HfLinear Linear)> Projections() =>
        named_modules().Where(m => m.module is HfLinear).Select(m => (m.name, (HfLinear)m.module));

    /// <summary>
    /// Random weights for tests and benchmarks: projections and embeddings N(0, <paramref name="std"/>) (transformers'
    /// initializer_range), biases N(0, std), norm weights 1. Deterministic for <paramref name="seed"/>.
    /// </summary>
    public void InitializeRandom(long seed, double std = 0.02)
    {
        using var noGrad = no_grad();
        var generator = new Generator((ulong)seed);
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal))
            {
                parameter.fill_(1);
            }
            else
            {
                parameter.normal_(0, std, generator);
            }
        }
    }

    /// <summary>Parameter count (base weights and any adapters).</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());
}

/// <summary>The <c>model.</c> part: embeddings, decoder layers, final norm.</summary>
public sealed class HfDecoderStack : nn.Module
{
#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly HfEmbedding embed_tokens;
    private readonly M.ModuleList<HfDecoderLayer> layers;
    private readonly RmsNorm norm;
#pragma warning restore IDE1006

    public HfDecoderStack(HfModelConfig config, ScalarType dtype) : base(nameof(HfDecoderStack))
    {
        embed_tokens = new HfEmbedding(config.VocabSize, config.HiddenSize, dtype);
        layers = nn.ModuleList([.. Enumerable.Range(0, config.Layers).Select(_ => new HfDecoderLayer(config, dtype))]);
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEps, dtype);
        register_module("embed_tokens", embed_tokens);
        register_module("layers", layers);
        register_module("norm", norm);
    }

    public HfEmbedding EmbedTokens => embed_tokens;

    public M.ModuleList<HfDecoderLayer> Layers => layers;

    public RmsNorm Norm => norm;
}

/// <summary>Token embeddings (<c>weight</c> (vocab, hidden)), looked up by row.</summary>
public sealed class HfEmbedding : nn.Module
{
#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly M.Parameter weight;
#pragma warning restore IDE1006

    public HfEmbedding(long vocab, long hidden, ScalarType dtype) : base(nameof(HfEmbedding))
    {
        weight = new M.Parameter(empty([vocab, hidden], dtype));
        register_parameter("weight", weight);
    }

    public Tensor Weight => weight;

    public Tensor Embed(Tensor ids)
    {
        var shape = ids.shape.Append(weight.shape[1]).ToArray();
        return weight.index_select(0, ids.reshape(-1)).view(shape);
    }
}

/// <summary>RMSNorm as transformers computes it: the variance in float32 (float64 for a float64 model), then back to the input dtype, times the weight.</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly M.Parameter weight;
#pragma warning restore IDE1006
    private readonly double _eps;

    public RmsNorm(long size, double eps, ScalarType dtype) : base(nameof(RmsNorm))
    {
        weight = new M.Parameter(ones([size], dtype));
        register_parameter("weight", weight);
        _eps = eps;
    }

    public override Tensor forward(Tensor input)
    {
        // float32 as transformers computes it; a float64 model (the gradient checks) stays in float64, so its loss is smooth to rounding.
        var x = input.dtype == ScalarType.Float64 ? input : input.to(ScalarType.Float32);
        var normed = x * (x.pow(2).mean([-1], keepdim: true) + _eps).rsqrt();
        return weight * normed.to(input.dtype);
    }
}

/// <summary>One block: x + attn(input_layernorm(x)); h + mlp(post_attention_layernorm(h)).</summary>
public sealed class HfDecoderLayer : nn.Module
{
#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly HfAttention self_attn;
    private readonly HfMlp mlp;
    private readonly RmsNorm input_layernorm;
    private readonly RmsNorm post_attention_layernorm;
#pragma warning restore IDE1006

    public HfDecoderLayer(HfModelConfig config, ScalarType dtype) : base(nameof(HfDecoderLayer))
    {
        self_attn = new HfAttention(config, dtype);
        mlp = new HfMlp(config, dtype);
        input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, dtype);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, dtype);
        register_module("self_attn", self_attn);
        register_module("mlp", mlp);
        register_module("input_layernorm", input_layernorm);
        register_module("post_attention_layernorm", post_attention_layernorm);
    }

    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, HfKvCache.LayerCache? cache)
    {
        var h = x + self_attn.Forward(input_layernorm.forward(x), cos, sin, mask, cache);
        return h + mlp.forward(post_attention_layernorm.forward(h));
    }
}

/// <summary>Grouped-query attention with rotary embeddings: key/value heads are shared by groups of query heads.</summary>
public sealed class HfAttention : nn.Module
{
#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly HfLinear q_proj;
    private readonly HfLinear k_proj;
    private readonly HfLinear v_proj;
    private readonly HfLinear o_proj;
#pragma warning restore IDE1006
    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;

    public HfAttention(HfModelConfig config, ScalarType dtype) : base(nameof(HfAttention))
    {
        _heads = config.Heads;
        _kvHeads = config.KeyValueHeads;
        _headDim = config.HeadDim;
        q_proj = new HfLinear(config.HiddenSize, _heads * _headDim, config.AttentionBias, dtype);
        k_proj = new HfLinear(config.HiddenSize, _kvHeads * _headDim, config.AttentionBias, dtype);
        v_proj = new HfLinear(config.HiddenSize, _kvHeads * _headDim, config.AttentionBias, dtype);
        o_proj = new HfLinear(_heads * _headDim, config.HiddenSize, hasBias: false, dtype);
        register_module("q_proj", q_proj);
        register_module("k_proj", k_proj);
        register_module("v_proj", v_proj);
        register_module("o_proj", o_proj);
    }

    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, HfKvCache.LayerCache? cache)
    {
        var batch = x.shape[0];
        var time = x.shape[1];
        var q = q_proj.forward(x).view(batch, time, _heads, _headDim).transpose(1, 2);
        var k = k_proj.forward(x).view(batch, time, _kvHeads, _headDim).transpose(1, 2);
        var v = v_proj.forward(x).view(batch, time, _kvHeads, _headDim).transpose(1, 2);
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);
        if (cache is not null)
        {
            (k, v) = cache.Append(k, v);
        }
        if (time == 1 && cache is not null && DecodePaths.GroupedStepAttention && !is_grad_enabled())
        {
            return o_proj.forward(DecodeStep(q, k, v, mask).reshape(batch, 1, _heads * _headDim));
        }
        if (_kvHeads != _heads)
        {
            k = RepeatKv(k);
            v = RepeatKv(v);
        }
        var y = nn.functional.scaled_dot_product_attention(q, k, v, mask, 0.0, mask is null);
        return o_proj.forward(y.transpose(1, 2).reshape(batch, time, _heads * _headDim));
    }

    /// <summary>
    /// Attention of one new query per row against the cache, (B, heads, 1, d): each key/value head serves its group of
    /// query heads by broadcasting, so the cache is never repeated (the repeat copied the whole cache per layer and step),
    /// with float32 scores and softmax. <paramref name="mask"/> (B,1,1,S): true = may attend.
    /// </summary>
    private Tensor DecodeStep(Tensor q, Tensor k, Tensor v, Tensor? mask)
    {
        var batch = q.shape[0];
        var grouped = q.reshape(batch, _kvHeads, _heads / _kvHeads, _headDim).to(ScalarType.Float32);
        var scores = grouped.matmul(k.to(ScalarType.Float32).transpose(-1, -2)).mul_(1.0 / Math.Sqrt(_headDim));
        if (mask is not null)
        {
            scores = scores.masked_fill_(mask.logical_not(), float.NegativeInfinity);
        }
        return scores.softmax(-1).matmul(v.to(ScalarType.Float32)).to(q.dtype);
    }

    /// <summary>(B, kv, S, d) → (B, heads, S, d), each key/value head repeated for its group (transformers' repeat_kv).</summary>
    private Tensor RepeatKv(Tensor t)
    {
        var groups = _heads / _kvHeads;
        var (b, s) = (t.shape[0], t.shape[2]);
        return t.unsqueeze(2).expand(b, _kvHeads, groups, s, _headDim).reshape(b, _heads, s, _headDim);
    }
}

/// <summary>SwiGLU: down(silu(gate(x)) · up(x)).</summary>
public sealed class HfMlp : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly HfLinear gate_proj;
    private readonly HfLinear up_proj;
    private readonly HfLinear down_proj;
#pragma warning restore IDE1006

    public HfMlp(HfModelConfig config, ScalarType dtype) : base(nameof(HfMlp))
    {
        gate_proj = new HfLinear(config.HiddenSize, config.IntermediateSize, hasBias: false, dtype);
        up_proj = new HfLinear(config.HiddenSize, config.IntermediateSize, hasBias: false, dtype);
        down_proj = new HfLinear(config.IntermediateSize, config.HiddenSize, hasBias: false, dtype);
        register_module("gate_proj", gate_proj);
        register_module("up_proj", up_proj);
        register_module("down_proj", down_proj);
    }

    public override Tensor forward(Tensor input) => down_proj.forward(nn.functional.silu(gate_proj.forward(input)) * up_proj.forward(input));
}
