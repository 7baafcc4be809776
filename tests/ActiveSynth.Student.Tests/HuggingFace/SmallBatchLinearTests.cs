using ActiveSynth.Student.HuggingFace;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Tests.HuggingFace;

/// <summary>
/// The decode kernel against libtorch's linear: the same products (float32 to rounding, bfloat16 to one rounding of the
/// output), independent of batch size and thread count, and out of the way wherever it does not apply.
/// </summary>
public sealed class SmallBatchLinearTests
{
    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(5, true)]
    [InlineData(8, false)]
    public void Float32_products_match_libtorch(int rows, bool withBias)
    {
        Assert.True(SmallBatchLinear.IsSupported, "this machine has AVX2 and FMA; the kernel must be exercised here");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // 100 inputs: three steps of 32, none of 8, a scalar tail of 4; 37 outputs: not a multiple of anything.
        var generator = new Generator(11);
        var x = randn([rows, 1, 100], generator: generator);
        var w = randn([37, 100], generator: generator);
        var b = withBias ? randn([37], generator: generator) : null;
        var fast = SmallBatchLinear.TryForward(x, w, b);
        Assert.NotNull(fast);
        var expected = nn.functional.linear(x, w, b);
        Assert.Equal(expected.shape, fast.shape);
        Assert.True(fast.allclose(expected, rtol: 1e-5, atol: 1e-5), $"largest difference {(fast - expected).abs().max().item<float>()}");
    }

    [Fact]
    public void Bfloat16_products_differ_from_libtorch_by_at_most_one_rounding_of_the_output()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generator = new Generator(12);
        var x = randn([3, 200], generator: generator).to(ScalarType.BFloat16);
        var w = randn([64, 200], generator: generator).to(ScalarType.BFloat16);
        var b = randn([64], generator: generator).to(ScalarType.BFloat16);
        var fast = SmallBatchLinear.TryForward(x, w, b);
        Assert.NotNull(fast);
        Assert.Equal(ScalarType.BFloat16, fast.dtype);
        // The exact product in float32 (float64 sums), then bfloat16's 8-bit mantissa: one output rounding is 2^-8 relative.
        var exact = nn.functional.linear(x.to(ScalarType.Float64), w.to(ScalarType.Float64), b.to(ScalarType.Float64));
        var error = (fast.to(ScalarType.Float64) - exact).abs();
        var bound = exact.abs() * Math.Pow(2, -8) + 1e-3;
        Assert.True(error.le(bound).all().item<bool>(), $"largest difference {error.max().item<double>()}");
        // And libtorch's own bfloat16 product is no closer on average.
        var torchError = (nn.functional.linear(x, w, b).to(ScalarType.Float64) - exact).abs().mean().item<double>();
        Assert.True(error.mean().item<double>() <= torchError * 1.5, $"kernel {error.mean().item<double>()} against libtorch {torchError}");
    }

    [Fact]
    public void A_rows_result_does_not_depend_on_its_batch_or_the_thread_count()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var threads = get_num_threads();
        try
        {
            var generator = new Generator(13);
            // 700 × 520 weights: above the threshold where the rows are split across threads.
            var x = randn([8, 520], generator: generator);
            var w = randn([700, 520], generator: generator).to(ScalarType.BFloat16);
            set_num_threads(2);
            var batch = SmallBatchLinear.TryForward(x, w, null)!;
            set_num_threads(1);
            for (var row = 0; row < 8; row++)
            {
                var alone = SmallBatchLinear.TryForward(x.narrow(0, row, 1), w, null)!;
                Assert.True(alone[0].eq(batch[row]).all().item<bool>(), $"row {row} alone differs from row {row} of the batch");
            }
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    [Fact]
    public void It_steps_aside_for_training_large_batches_other_dtypes_and_views()
    {
        using var scope = NewDisposeScope();
        var w = randn([16, 32]);
        using (no_grad())
        {
            Assert.Null(SmallBatchLinear.TryForward(randn([9, 32]), w, null)); // a prompt's forward: libtorch's GEMM
            Assert.Null(SmallBatchLinear.TryForward(randn([1, 32]).to(ScalarType.Float16), w.to(ScalarType.Float16), null));
            Assert.Null(SmallBatchLinear.TryForward(randn([1, 32]), randn([32, 16]).t(), null)); // not contiguous
            Assert.NotNull(SmallBatchLinear.TryForward(randn([1, 32]), w, null));
        }
        Assert.True(is_grad_enabled());
        Assert.Null(SmallBatchLinear.TryForward(randn([1, 32]), w, null)); // gradients are recorded: autograd needs libtorch's op
    }
}
