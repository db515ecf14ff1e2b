using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>A convolution with its bias and activation applied as the output is written equals the convolution
/// followed by the activation op, bitwise — on every kernel path and on edge values (NaN, ±0, ±∞).</summary>
public class ConvEpilogueTests
{
    public static IEnumerable<object[]> Geometries() => ConvKernelTests.Geometries().Concat(new int[][]
    {
        [1, 600, 6, 6, 200, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1],   // pointwise, two depth blocks, GEMM split by rows across threads
        [1, 64, 30, 30, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1],   // bands, two depth blocks
        [2, 16, 20, 20, 24, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 2],   // grouped: channel offsets
    }.Select(a => new object[] { a }));

    private static readonly ConvActivation[] All =
    [
        ConvActivation.Clamp(0f, null),          // ReLU
        ConvActivation.Clamp(0f, 6f),            // ReLU6
        ConvActivation.Clamp(null, 0.25f),
        ConvActivation.Leaky(0.1f),
        new(ConvActivationKind.None),
    ];

    public static IEnumerable<object[]> Activations() => All.Select((_, i) => new object[] { i });

    internal static Tensor Unfused(Tensor y, ConvActivation a) => a.Kind switch
    {
        ConvActivationKind.Clamp => y.Clamp(float.IsNegativeInfinity(a.Min) ? null : a.Min, float.IsPositiveInfinity(a.Max) ? null : a.Max),
        ConvActivationKind.Leaky => y.LeakyRelu(a.Alpha),
        _ => y,
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Fused_equals_the_convolution_then_the_bias_and_activation_ops_bitwise(int[] a)
    {
        var g = new ConvGeometry(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
        var x = Tensor.Randn(new Shape(a[0], a[1], a[2], a[3]), seed: 11);
        var w = Tensor.Randn(new Shape(a[4], a[1] / a[15], a[5], a[6]), seed: 12);
        var b = Tensor.Randn(new Shape(a[4]), seed: 13);
        var plain = new float[g.Batch * g.OutChannels * g.OutPlane];
        Conv2dKernel.Forward(x.ToArray(), w.ToArray(), plain, g);         // no epilogue
        var y = Tensor.FromArray(plain, g.Batch, g.OutChannels, g.OutHeight, g.OutWidth);
        int saved = Parallelism.MaxDegree;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Parallelism.MaxDegree = threads;
                foreach (var activation in All)
                    foreach (var bias in new[] { b, null })
                    {
                        var expected = Unfused(bias is null ? y : y + bias.Reshape(g.OutChannels, 1, 1), activation);
                        var fused = x.Conv2dActivated(w, bias, (a[7], a[8]), (a[9], a[10], a[11], a[12]), (a[13], a[14]), a[15], activation);
                        Assert.Equal(expected.Shape, fused.Shape);
                        Assert.Equal(expected.ToArray(), fused.ToArray());
                        if (activation.Kind == ConvActivationKind.None)
                            Assert.Equal(expected.ToArray(), x.Conv2d(w, bias, (a[7], a[8]), (a[9], a[10], a[11], a[12]), (a[13], a[14]), a[15]).ToArray());
                    }
            }
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void Edge_values_match_the_activation_ops_bitwise(int index)
    {
        var activation = All[index];
        float[] edges = [float.NaN, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, -1e-30f, 1e-30f, 5.999f, 6f, 6.001f, -3f, 0.25f, 0.3f];
        var values = Enumerable.Range(0, 53).Select(i => edges[i % edges.Length]).ToArray();   // a SIMD body and a tail
        var bias = new[] { 0f, -0f, 1.5f };
        var expected = Tensor.FromArray(values, 1, 1, values.Length) + Tensor.FromArray(bias, 3, 1, 1);
        expected = Unfused(expected, activation);
        var rows = new float[3 * values.Length];
        for (int r = 0; r < 3; r++) values.CopyTo(rows, r * values.Length);
        var epilogue = new ConvEpilogue(bias, activation);
        for (int r = 0; r < 3; r++) epilogue.Apply(rows.AsSpan(r * values.Length, values.Length), r);
        var want = expected.ToArray();
        for (int i = 0; i < rows.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(want[i]) == BitConverter.SingleToInt32Bits(rows[i]), $"element {i}: fused {rows[i]} vs unfused {want[i]}");
    }

    [Fact]
    public void Fused_convolution_refuses_to_run_when_gradients_are_recorded()
    {
        var x = Tensor.Randn(new Shape(1, 2, 4, 4), seed: 1).RequireGrad();
        var w = Tensor.Randn(new Shape(3, 2, 3, 3), seed: 2);
        var error = Assert.Throws<InvalidOperationException>(() => x.Conv2dActivated(w, null, (1, 1), (1, 1, 1, 1), (1, 1), 1, ConvActivation.Clamp(0f, null)));
        Assert.Contains("inference only", error.Message, StringComparison.Ordinal);
        using (GradMode.Off()) Assert.Equal(new Shape(1, 3, 4, 4), x.Conv2dActivated(w, null, (1, 1), (1, 1, 1, 1), (1, 1), 1, ConvActivation.Clamp(0f, null)).Shape);
    }
}
