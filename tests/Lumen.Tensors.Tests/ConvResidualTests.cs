using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>A convolution that adds a residual as it writes its output (<see cref="Tensor.Conv2dResidual"/>) equals the
/// convolution, then the Add, then the activation, bitwise — on every kernel path, including those that add it in a
/// pass after the kernel (depthwise) and those that add it in registers (the packed GEMM, the direct 3×3).</summary>
public class ConvResidualTests
{
    public static IEnumerable<object[]> Geometries() => ConvEpilogueTests.Geometries().Concat(new int[][]
    {
        [1, 320, 7, 7, 40, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1],    // pointwise, one deep image of 49 positions: the transposed product on one thread
        [3, 24, 7, 7, 20, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1],     // pointwise batched over the images, tiles across images
        [1, 40, 1, 1, 37, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1],     // a classifier on a 1×1 plane at batch 1 (matrix-vector)
        [1, 3, 23, 21, 13, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1],    // a first 3×3 layer (the direct kernel)
        [2, 20, 7, 7, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 20],    // depthwise on a narrow plane (channels last)
    }.Select(a => new object[] { a }));

    private static readonly ConvActivation[] Activations = [new(ConvActivationKind.None), ConvActivation.Clamp(0f, 6f), ConvActivation.Leaky(0.1f)];

    private static int[] Bits(Tensor t) => [.. t.ToArray().Select(BitConverter.SingleToInt32Bits)];

    [Theory]
    [MemberData(nameof(Geometries))]
    public void The_sum_equals_the_convolution_then_the_add_then_the_activation_bitwise(int[] a)
    {
        var g = new ConvGeometry(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
        var x = Tensor.Randn(new Shape(a[0], a[1], a[2], a[3]), seed: 21);
        var w = Tensor.Randn(new Shape(a[4], a[1] / a[15], a[5], a[6]), seed: 22);
        var b = Tensor.Randn(new Shape(a[4]), seed: 23);
        var residual = Tensor.Randn(new Shape(g.Batch, g.OutChannels, g.OutHeight, g.OutWidth), seed: 24);
        var r = residual.AsSpan();
        float[] edges = [float.NaN, -0f, 0f, float.PositiveInfinity, -1e30f];
        for (int i = 0; i < Math.Min(r.Length, 3 * edges.Length); i += 3) r[i] = edges[i / 3];   // a few edge values
        int saved = Parallelism.MaxDegree;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Parallelism.MaxDegree = threads;
                using var off = GradMode.Off();
                foreach (var activation in Activations)
                    foreach (var bias in new[] { b, null })
                    {
                        var conv = x.Conv2d(w, bias, (a[7], a[8]), (a[9], a[10], a[11], a[12]), (a[13], a[14]), a[15]);
                        var expected = ConvEpilogueTests.Unfused(conv + residual, activation);
                        var fused = x.Conv2dResidual(w, bias, (a[7], a[8]), (a[9], a[10], a[11], a[12]), (a[13], a[14]), a[15], residual, activation);
                        Assert.NotNull(fused);
                        Assert.Equal(expected.Shape, fused.Shape);
                        Assert.Equal(Bits(expected), Bits(fused));
                    }
            }
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    [Fact]
    public void A_residual_of_another_shape_or_type_runs_nothing_and_gradients_are_refused()
    {
        var x = Tensor.Randn(new Shape(1, 2, 4, 4), seed: 1);
        var w = Tensor.Randn(new Shape(3, 2, 1, 1), seed: 2);
        using (GradMode.Off())
        {
            Assert.Null(x.Conv2dResidual(w, null, (1, 1), (0, 0, 0, 0), (1, 1), 1, Tensor.Randn(new Shape(1, 3, 1, 1), seed: 3)));    // would broadcast
            Assert.Null(x.Conv2dResidual(w, null, (1, 1), (0, 0, 0, 0), (1, 1), 1, Tensor.FromArray(new long[48], 1, 3, 4, 4)));
        }
        var recorded = x.Detach().RequireGrad();
        var error = Assert.Throws<InvalidOperationException>(() => recorded.Conv2dResidual(w, null, (1, 1), (0, 0, 0, 0), (1, 1), 1, Tensor.Zeros(new Shape(1, 3, 4, 4))));
        Assert.Contains("inference only", error.Message, StringComparison.Ordinal);
    }
}
