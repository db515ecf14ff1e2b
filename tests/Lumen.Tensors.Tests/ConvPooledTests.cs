using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>A direct convolution with its max pool fused (<see cref="ConvDirect.ForwardPooled"/>, through
/// <c>Tensor.Conv2dActivatedMaxPooled</c>) gives bitwise the two ops in sequence, whatever the bands, batch and threads.</summary>
public class ConvPooledTests
{
    // input channels, side, output channels, conv kernel, stride, pad; pool kernel, stride, pad, dilation, ceil
    public static TheoryData<int[], bool> Cases => new()
    {
        { [3, 47, 16, 3, 2, 0, 3, 2, 0, 1], true },    // SqueezeNet's first layer and pool
        { [3, 40, 16, 3, 1, 1, 2, 2, 0, 1], false },   // Tiny Darknet's
        { [3, 33, 8, 3, 1, 1, 3, 2, 1, 1], false },    // a padded pool (ResNet-like)
        { [4, 30, 24, 3, 2, 1, 3, 2, 0, 1], true },    // ceil mode with a clipped last window
        { [1, 29, 8, 5, 1, 2, 2, 3, 1, 2], false },    // a dilated pool, stride past the window
        { [3, 20, 9, 3, 1, 0, 1, 1, 0, 1], false },    // a 1×1 pool: every row its own band row
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_pooled_convolution_is_bitwise_the_convolution_then_the_pool(int[] sizes, bool ceil)
    {
        var (channels, side, outChannels, k, stride, pad) = (sizes[0], sizes[1], sizes[2], sizes[3], sizes[4], sizes[5]);
        var (pk, ps, pp, pd) = (sizes[6], sizes[7], sizes[8], sizes[9]);
        foreach (int batch in new[] { 1, 3 })
            foreach (int threads in new[] { 1, 2 })
            {
                int saved = Parallelism.MaxDegree;
                try
                {
                    Parallelism.MaxDegree = threads;
                    var x = Tensor.Randn(new Shape(batch, channels, side, side + 3), seed: batch);
                    var w = Tensor.Randn(new Shape(outChannels, channels, k, k), seed: 2);
                    var b = Tensor.Randn(new Shape(outChannels), seed: 3);
                    var activation = ConvActivation.Clamp(0f, 6f);
                    using var off = GradMode.Off();
                    var expected = x.Conv2dActivated(w, b, (stride, stride), (pad, pad, pad, pad), (1, 1), 1, activation)
                        .MaxPool2d((pk, pk), (ps, ps), (pp, pp, pp, pp), (pd, pd), ceil);
                    var fused = x.Conv2dActivatedMaxPooled(w, b, (stride, stride), (pad, pad, pad, pad), (1, 1), 1, activation, (pk, pk), (ps, ps), (pp, pp, pp, pp), (pd, pd), ceil);
                    Assert.NotNull(fused);
                    Assert.Equal(expected.Shape, fused.Shape);
                    Assert.Equal(expected.ToArray().Select(BitConverter.SingleToInt32Bits), fused.ToArray().Select(BitConverter.SingleToInt32Bits));
                }
                finally { Parallelism.MaxDegree = saved; }
            }
    }

    [Fact]
    public void A_convolution_off_the_direct_path_is_declined_and_a_mismatched_pool_refused()
    {
        using var off = GradMode.Off();
        var x = Tensor.Randn(new Shape(1, 16, 12, 12), seed: 1);
        var w = Tensor.Randn(new Shape(8, 16, 3, 3), seed: 2);            // 144 taps: im2col or Winograd, not direct
        Assert.Null(x.Conv2dActivatedMaxPooled(w, null, (1, 1), (1, 1, 1, 1), (1, 1), 1, default, (2, 2), (2, 2), (0, 0, 0, 0), (1, 1), false));

        var g = new ConvGeometry(1, 3, 12, 12, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        var pool = new PoolGeometry(8, 11, 12, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, false);   // 11 rows: not the convolution's 12
        var e = Assert.Throws<ArgumentException>(() => ConvDirect.ForwardPooled(new float[3 * 144], new float[8 * 27], new float[8 * 36], g, default, pool));
        Assert.Contains("does not fit", e.Message);

        var fits = pool with { InHeight = 12 };                                         // pooled to [6, 6]
        e = Assert.Throws<ArgumentException>(() => ConvDirect.ForwardPooled(new float[3 * 144], new float[8 * 27], new float[8 * 36 - 1], g, default, fits));
        Assert.Contains("too few", e.Message);
        e = Assert.Throws<ArgumentException>(() => ConvDirect.ForwardPooled(new float[3 * 144], new float[8 * 27], new float[8 * 36], g, new ConvEpilogue(null).WithResidual(0), fits));
        Assert.Contains("residual", e.Message);
    }

    [Fact]
    public void A_pooled_output_placed_past_its_array_is_refused()
    {
        var g = new PoolGeometry(2, 4, 4, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, false);            // two planes pooled to [2, 2]
        var e = Assert.Throws<ArgumentException>(() => PoolMax.Forward(new float[32], new float[8], g, 1, 4, parallel: false));
        Assert.Contains("do not fit", e.Message);
        Assert.Throws<ArgumentException>(() => PoolMax.Forward(new float[32], new float[16], g, 0, 3, parallel: false));   // planes overlap
    }
}
