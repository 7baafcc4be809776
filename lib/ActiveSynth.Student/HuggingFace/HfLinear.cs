using TorchSharp;
using static TorchSharp.torch;
using M = TorchSharp.Modules;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// A linear projection with the state-dict names of <c>torch.nn.Linear</c> (<c>weight</c> (out,in), optional
/// <c>bias</c>) and an optional LoRA adapter in PEFT's layout: <c>lora_A</c> (r,in, Kaiming-uniform as PEFT
/// initialises it) and <c>lora_B</c> (out,r, zeros, so attaching changes nothing until trained). Output:
/// x·Wᵀ + b + (α/r)·B(A(dropout(x))). Weights start uninitialised (<see cref="torch.empty(long[], ScalarType?, Device?, bool, bool, MemoryFormat?)"/>):
/// a loader or an initialiser fills them, and a 0.5B model is not initialised twice.
/// </summary>
public sealed class HfLinear : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly M.Parameter weight;
    private readonly M.Parameter? bias;
    private M.Linear? lora_A;
    private M.Linear? lora_B;
#pragma warning restore IDE1006
    private double _scaling;
    private double _dropout;

    public HfLinear(long inFeatures, long outFeatures, bool hasBias, ScalarType dtype) : base(nameof(HfLinear))
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        weight = new M.Parameter(empty([outFeatures, inFeatures], dtype));
        register_parameter("weight", weight);
        if (hasBias)
        {
            bias = new M.Parameter(empty([outFeatures], dtype));
            register_parameter("bias", bias);
        }
    }

    public long InFeatures { get; }

    public long OutFeatures { get; }

    public Tensor Weight => weight;

    public Tensor? Bias => bias;

    public bool HasLora => lora_A is not null;

    public int LoraRank { get; private set; }

    /// <summary>LoRA A (r,in) and B (out,r), or null without an adapter.</summary>
    public (M.Parameter A, M.Parameter B)? Lora => lora_A is null || lora_B is null ? null : (lora_A.weight!, lora_B.weight!);

    /// <summary>Adds a LoRA adapter (A Kaiming-uniform, B zeros) in the weight's dtype and device.</summary>
    public void AttachLora(int rank, double alpha, double dropout)
    {
        if (HasLora)
        {
            throw new InvalidOperationException("This projection already has a LoRA adapter.");
        }
        lora_A = nn.Linear(InFeatures, rank, hasBias: false, device: weight.device, dtype: weight.dtype);
        lora_B = nn.Linear(rank, OutFeatures, hasBias: false, device: weight.device, dtype: weight.dtype);
        register_module("lora_A", lora_A);
        register_module("lora_B", lora_B);
        LoraRank = rank;
        _scaling = alpha / rank;
        _dropout = dropout;
        ResetLora();
    }

    /// <summary>
    /// Gives the adapter a fresh start: A Kaiming-uniform(a=√5), PEFT's initialisation of lora_A; B zeros, so the
    /// projection computes exactly its base. Draws from the global generator (seed it first for a reproducible A).
    /// </summary>
    public void ResetLora()
    {
        var (a, b) = Lora ?? throw new InvalidOperationException("This projection has no LoRA adapter.");
        using var noGrad = no_grad();
        nn.init.kaiming_uniform_(a, Math.Sqrt(5));
        b.zero_();
    }

    /// <summary>
    /// The weight with the adapter folded in, W + (α/r)·B·A (PEFT's merge): a linear layer with this weight and no adapter
    /// computes what this one does in eval mode. Without an adapter, a copy of the weight.
    /// </summary>
    public Tensor MergedWeight()
    {
        using var noGrad = no_grad();
        return Lora is { } lora ? (weight + lora.B.matmul(lora.A) * _scaling).to(weight.dtype) : weight.clone();
    }

    public override Tensor forward(Tensor input)
    {
        var output = SmallBatchLinear.TryForward(input, weight, bias) ?? nn.functional.linear(input, weight, bias);
        if (lora_A is null || lora_B is null)
        {
            return output;
        }
        var x = _dropout > 0 ? nn.functional.dropout(input, _dropout, training) : input;
        return output + lora_B.forward(lora_A.forward(x)) * _scaling;
    }
}
