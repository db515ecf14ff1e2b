using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The pointwise convolution to 16 channels that reads NCHW unpacked (<see cref="ConvPointwiseNarrow"/>)
/// against the naive double loops, with the epilogue, on full and partial tiles, and the cases it leaves to the GEMM.</summary>
public class ConvPointwiseNarrowTests
{
    private static float[] Random(int length, int seed)
    {
        var rng = new Random(seed);
        var a = new float[length];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(rng.NextDouble() * 2 - 1);
        return a;
    }

    [Avx512Theory]
    [InlineData(16, 4, 4, 1, false)]
    [InlineData(64, 55, 55, 1, true)]
    [InlineData(128, 7, 9, 2, true)]
    [InlineData(130, 5, 5, 3, false)]
    [InlineData(24, 1, 33, 1, true)]
    public void It_matches_the_naive_loops_with_the_epilogue(int c, int h, int w, int batch, bool relu)
    {
        var g = new ConvGeometry(batch, c, h, w, 16, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        float[] x = Random(batch * c * h * w, 1), weights = Random(16 * c, 2), bias = Random(16, 3);
        var epilogue = new ConvEpilogue(bias, relu ? ConvActivation.Clamp(0f, null) : default);
        Assert.True(ConvPointwiseNarrow.Applies(g, epilogue));
        var expected = new float[batch * 16 * h * w];
        ConvNaive.Forward(x, weights, expected, g);
        for (int i = 0; i < expected.Length; i++)
        {
            float v = expected[i] + bias[i / (h * w) % 16];
            expected[i] = relu ? Math.Max(v, 0f) : v;
        }
        var actual = new float[expected.Length];
        ConvPointwiseNarrow.Forward(x, weights, actual, g, epilogue);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * Math.Max(1f, Math.Abs(expected[i])), $"y[{i}] = {actual[i]}, expected {expected[i]}");
        // through the convolution's entry point, the same values
        var entry = new float[expected.Length];
        Conv2dKernel.Forward(x, weights, entry, g, epilogue);
        Assert.Equal(actual, entry);
    }

    [Fact]
    public void Other_shapes_and_recorded_epilogues_are_left_to_the_gemm()
    {
        var g = new ConvGeometry(1, 64, 8, 8, 16, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        Assert.False(ConvPointwiseNarrow.Applies(g with { OutChannels = 32 }, default));
        Assert.False(ConvPointwiseNarrow.Applies(g with { InChannels = 8 }, default));
        Assert.False(ConvPointwiseNarrow.Applies(g, new ConvEpilogue(null, ConvActivation.Clamp(0f, 6f), new ClampTies(16))));
        Assert.False(ConvPointwiseNarrow.Applies(g, new ConvEpilogue(null).WithResidual(0)));
        var e = Assert.Throws<ArgumentException>(() => ConvPointwiseNarrow.Forward(new float[2048], new float[512], new float[2048], g with { OutChannels = 32 }, default));
        Assert.Contains("16 channels", e.Message);
    }
}
