using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// x·Wᵀ (+ b) for up to <see cref="MaxRows"/> input rows (a decoding step: one new token per sequence) on the CPU, with
/// float32 or bfloat16 weights, in C# SIMD (AVX2 + FMA) over weight rows split across the intra-op threads; float32
/// accumulation, one rounding to the input's dtype at the end.
/// Why: libtorch's CPU kernels for this shape stream the weights at about a third of the machine's read bandwidth, for
/// float32 and bfloat16 alike, and decoding at batch 1 is nothing but streaming the weights (benchmarks/README.md,
/// "decode steps"). Here each weight row is read from memory once for all input rows. Every output
/// element is one dot product in a fixed order, whatever the batch size or thread count, so a row's result does not
/// depend on what else is in its batch.
/// Not used where gradients are recorded (training), on other devices, for other dtypes, or without AVX2/FMA: the caller
/// falls back to <c>nn.functional.linear</c>.
/// </summary>
internal static unsafe class SmallBatchLinear
{
    public const int MaxRows = 8;

    /// <summary>Weights smaller than this (elements) are one thread's work: splitting costs more than it saves.</summary>
    private const long ParallelThreshold = 1L << 18;

    public static bool IsSupported { get; } = Avx2.IsSupported && Fma.IsSupported;

    /// <summary>The product, or null when this path does not apply (then use <c>nn.functional.linear</c>).</summary>
    public static Tensor? TryForward(Tensor input, Tensor weight, Tensor? bias)
    {
        if (!DecodePaths.SmallBatchKernel || !IsSupported || is_grad_enabled() || input.device_type != DeviceType.CPU || weight.device_type != DeviceType.CPU
            || !IsFloat32OrBFloat16(weight) || !IsFloat32OrBFloat16(input) || (bias is not null && (!IsFloat32OrBFloat16(bias) || !bias.is_contiguous()))
            || weight.dim() != 2 || !weight.is_contiguous() || !input.is_contiguous())
        {
            return null;
        }
        var (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1]);
        if (input.shape[^1] != inFeatures || inFeatures == 0 || bias?.numel() is { } b && b != outFeatures)
        {
            return null;
        }
        var rows = input.numel() / inFeatures;
        if (rows is 0 or > MaxRows)
        {
            return null;
        }
        var shape = input.shape.ToArray();
        shape[^1] = outFeatures;
        var output = empty(shape, input.dtype);
        var inputBf16 = input.dtype == ScalarType.BFloat16;
        // A bfloat16 input (at most 8 × the hidden size) is widened here once, not once per weight row.
        var widened = inputBf16 ? ArrayPool<float>.Shared.Rent((int)(rows * inFeatures)) : null;
        try
        {
            fixed (byte* w = weight.bytes)
            fixed (byte* xIn = input.bytes)
            fixed (float* xWide = widened)
            fixed (byte* y = output.bytes)
            fixed (byte* bs = bias is null ? default : bias.bytes)
            {
                if (inputBf16)
                {
                    for (long i = 0; i < rows * inFeatures; i++)
                    {
                        xWide[i] = BFloat16Weights.Scalar(xIn, i);
                    }
                }
                var job = new Job(inputBf16 ? xWide : (float*)xIn, y, inputBf16, bs, bias?.dtype == ScalarType.BFloat16, (int)rows, inFeatures, outFeatures);
                if (weight.dtype == ScalarType.Float32)
                {
                    Run<Float32Weights>(job, w);
                }
                else
                {
                    Run<BFloat16Weights>(job, w);
                }
            }
        }
        finally
        {
            if (widened is not null)
            {
                ArrayPool<float>.Shared.Return(widened);
            }
        }
        return output;
    }

    private static bool IsFloat32OrBFloat16(Tensor t) => t.dtype is ScalarType.Float32 or ScalarType.BFloat16;

    /// <summary>One product's pointers and shape; the output is float32 or bfloat16 (rounded to nearest even, as torch rounds).</summary>
    private readonly struct Job(float* x, byte* y, bool outputBf16, byte* bias, bool biasBf16, int rows, long inFeatures, long outFeatures)
    {
        public float* X { get; } = x;

        public int Rows { get; } = rows;

        public long In { get; } = inFeatures;

        public long Out { get; } = outFeatures;

        public void Store(int row, long o, float dot)
        {
            if (bias is not null)
            {
                dot += biasBf16 ? BFloat16Weights.Scalar(bias, o) : ((float*)bias)[o];
            }
            var at = row * Out + o;
            if (outputBf16)
            {
                ((ushort*)y)[at] = ToBFloat16(dot);
            }
            else
            {
                ((float*)y)[at] = dot;
            }
        }
    }

    private static ushort ToBFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    private static void Run<TWeights>(Job job, byte* weights) where TWeights : IWeightRows
    {
        var threads = Math.Min(get_num_threads(), Environment.ProcessorCount);
        if (threads <= 1 || job.Out * job.In < ParallelThreshold)
        {
            Rows<TWeights>(job, weights, 0, job.Out);
            return;
        }
        var w = (nint)weights;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, part =>
            Rows<TWeights>(job, (byte*)w, job.Out * part / threads, job.Out * (part + 1) / threads));
    }

    /// <summary>
    /// Weight rows in memory order (one sequential stream the prefetcher follows), each against every input row: input
    /// rows in pairs while the weight row stays in L1. Every output element sums the same way, four accumulators over the
    /// input in steps of 32, then steps of 8, then the scalar tail, for every batch size and thread count.
    /// </summary>
    private static void Rows<TWeights>(Job job, byte* weights, long from, long to) where TWeights : IWeightRows
    {
        var stride = job.In * TWeights.ElementSize;
        for (var o = from; o < to; o++)
        {
            var row = weights + o * stride;
            var r = 0;
            for (; r + 2 <= job.Rows; r += 2)
            {
                var (d0, d1) = Dot2<TWeights>(row, job.X + r * job.In, job.X + (r + 1) * job.In, job.In);
                job.Store(r, o, d0);
                job.Store(r + 1, o, d1);
            }
            if (r < job.Rows)
            {
                job.Store(r, o, Dot1<TWeights>(row, job.X + r * job.In, job.In));
            }
        }
    }

    private static float Dot1<TWeights>(byte* row, float* x, long n) where TWeights : IWeightRows
    {
        var (a0, a1, a2, a3) = (Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero);
        long i = 0;
        for (; i + 32 <= n; i += 32)
        {
            a0 = Fma.MultiplyAdd(TWeights.Load(row, i), Avx.LoadVector256(x + i), a0);
            a1 = Fma.MultiplyAdd(TWeights.Load(row, i + 8), Avx.LoadVector256(x + i + 8), a1);
            a2 = Fma.MultiplyAdd(TWeights.Load(row, i + 16), Avx.LoadVector256(x + i + 16), a2);
            a3 = Fma.MultiplyAdd(TWeights.Load(row, i + 24), Avx.LoadVector256(x + i + 24), a3);
        }
        for (; i + 8 <= n; i += 8)
        {
            a0 = Fma.MultiplyAdd(TWeights.Load(row, i), Avx.LoadVector256(x + i), a0);
        }
        var sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        for (; i < n; i++)
        {
            sum += TWeights.Scalar(row, i) * x[i];
        }
        return sum;
    }

    /// <summary><see cref="Dot1{TWeights}"/> for two input rows at once, in the same order: each weight vector is loaded once.</summary>
    private static (float, float) Dot2<TWeights>(byte* row, float* x, float* y, long n) where TWeights : IWeightRows
    {
        var (a0, a1, a2, a3) = (Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero);
        var (b0, b1, b2, b3) = (Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero);
        long i = 0;
        for (; i + 32 <= n; i += 32)
        {
            var w0 = TWeights.Load(row, i);
            var w1 = TWeights.Load(row, i + 8);
            var w2 = TWeights.Load(row, i + 16);
            var w3 = TWeights.Load(row, i + 24);
            a0 = Fma.MultiplyAdd(w0, Avx.LoadVector256(x + i), a0);
            a1 = Fma.MultiplyAdd(w1, Avx.LoadVector256(x + i + 8), a1);
            a2 = Fma.MultiplyAdd(w2, Avx.LoadVector256(x + i + 16), a2);
            a3 = Fma.MultiplyAdd(w3, Avx.LoadVector256(x + i + 24), a3);
            b0 = Fma.MultiplyAdd(w0, Avx.LoadVector256(y + i), b0);
            b1 = Fma.MultiplyAdd(w1, Avx.LoadVector256(y + i + 8), b1);
            b2 = Fma.MultiplyAdd(w2, Avx.LoadVector256(y + i + 16), b2);
            b3 = Fma.MultiplyAdd(w3, Avx.LoadVector256(y + i + 24), b3);
        }
        for (; i + 8 <= n; i += 8)
        {
            var w = TWeights.Load(row, i);
            a0 = Fma.MultiplyAdd(w, Avx.LoadVector256(x + i), a0);
            b0 = Fma.MultiplyAdd(w, Avx.LoadVector256(y + i), b0);
        }
        var (sa, sb) = (Vector256.Sum((a0 + a1) + (a2 + a3)), Vector256.Sum((b0 + b1) + (b2 + b3)));
        for (; i < n; i++)
        {
            var w = TWeights.Scalar(row, i);
            sa += w * x[i];
            sb += w * y[i];
        }
        return (sa, sb);
    }

    /// <summary>How a weight row's elements become float32 lanes.</summary>
    private interface IWeightRows
    {
        static abstract int ElementSize { get; }

        static abstract Vector256<float> Load(byte* row, long index);

        static abstract float Scalar(byte* row, long index);
    }

    private readonly struct Float32Weights : IWeightRows
    {
        public static int ElementSize => sizeof(float);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load(byte* row, long index) => Avx.LoadVector256((float*)row + index);

        public static float Scalar(byte* row, long index) => ((float*)row)[index];
    }

    /// <summary>bfloat16 is the top half of a float32: widen each 16-bit element and shift it into place.</summary>
    private readonly struct BFloat16Weights : IWeightRows
    {
        public static int ElementSize => sizeof(ushort);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load(byte* row, long index) =>
            Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32((ushort*)row + index), 16).AsSingle();

        public static float Scalar(byte* row, long index) => BitConverter.Int32BitsToSingle(((ushort*)row)[index] << 16);
    }
}
