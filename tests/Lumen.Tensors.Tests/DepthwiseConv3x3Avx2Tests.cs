using System.Runtime.Intrinsics.X86;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The AVX2 3×3 depthwise kernels (<see cref="DepthwiseConv3x3Avx2"/>, <see cref="DepthwiseConv3x3Avx2Stride2"/>)
/// against scalar twins that sum in the documented order (kernel row by row, column by column, the first tap multiplied,
/// padding zeros included; then the unfused epilogue), bitwise with every epilogue and the same clamp ties, on widths
/// 1–40, heights 1–20, padding 0/1 (and 2) per side, strides 1 and 2, batch 2, inputs with ±0, ±∞ and NaN; the input
/// gradients through <see cref="ConvDepthwise"/> against the naive loops; and the memory around the planes untouched.</summary>
public class DepthwiseConv3x3Avx2Tests
{
    /// <summary>A fact about the AVX2 kernels: skipped, saying why, on machines that run the AVX-512 ones instead.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    private sealed class Avx2FactAttribute : FactAttribute
    {
        public override string? Skip
        {
            get => base.Skip ?? (Avx512F.IsSupported || !Avx2.IsSupported || !Fma.IsSupported ? "skipped: tests the AVX2 kernels, which run only on AVX2 machines without AVX-512." : null);
            set => base.Skip = value;
        }
    }

    private static readonly int[] Heights = [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 20];

    private static IEnumerable<ConvGeometry> Geometries(int stride)
    {
        for (int w = 1; w <= 40; w++)
            foreach (int h in Heights)
                for (int pads = 0; pads < 16; pads++)
                {
                    // pads 0/1 per side; every fifth geometry moves one side (in turn) to 2, as a stride-1 adjoint may
                    int side = (w + h + pads) % 5 == 0 ? (w + h + pads) / 5 % 4 : -1;
                    int Pad(int k) => (pads >> k & 1) + (side == k ? 1 : 0);
                    var g = new ConvGeometry(2, 3, h, w, 3, 3, 3, stride, stride, Pad(0), Pad(1), Pad(2), Pad(3), 1, 1, 3);
                    if (g.OutHeight >= 1 && g.OutWidth >= 1) yield return g;
                }
    }

    private static readonly float[] Edges = [0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 6f, -6f, 1e-30f];

    private static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            int kind = random.Next(40);
            values[i] = kind == 0 ? Edges[random.Next(Edges.Length)] : kind < 12 ? (random.Next(2) == 0 ? 0f : -0f) : (float)(random.NextDouble() * 4 - 2);
        }
        return values;
    }

    private static ConvEpilogue Epilogue(int which, float[] bias, ClampTies ties) => which switch
    {
        0 => new ConvEpilogue(null),
        1 => new ConvEpilogue(bias),
        2 => new ConvEpilogue(bias, ConvActivation.Clamp(0f, 6f)),
        3 => new ConvEpilogue(null, ConvActivation.Clamp(0f, 6f), ties),
        4 => new ConvEpilogue(bias, ConvActivation.Leaky(0.1f)),
        _ => new ConvEpilogue(bias, ConvActivation.Clamp(-0.5f, 0.5f), ties),
    };

    [Avx2Fact]
    public void Forward_equals_the_scalar_twin_bitwise_with_every_epilogue()
    {
        int cases = 0;
        foreach (int stride in new[] { 1, 2 })
            foreach (var g in Geometries(stride))
            {
                Assert.True(DepthwiseConv3x3Avx2.Applies(g), $"{g}");
                var x = Values(g.Batch * g.InChannels * g.InPlane, cases);
                var w = Values(g.InChannels * 9, cases + 1);
                w[cases % w.Length] = 0f;
                var bias = new[] { 0.5f, -0f, 6f };
                var twinTies = new ClampTies(3);
                var kernelTies = new ClampTies(3);
                int which = cases % 6;
                var expected = Twin(x, w, g, Epilogue(which, bias, twinTies));
                var actual = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
                DepthwiseConv3x3Avx2.Forward(x, w, actual, g, Epilogue(which, bias, kernelTies), 0, g.Batch * g.InChannels);
                AssertSame(expected, actual, $"{g}, epilogue {which}");
                Assert.Equal(twinTies.Channels(), kernelTies.Channels());
                cases++;
            }
        Assert.True(cases > 13000, $"only {cases} geometries ran");
    }

    [Avx2Fact]
    public void Stride2_input_gradient_equals_the_scalar_twin_bitwise()
    {
        int cases = 0;
        foreach (var g in Geometries(2))
        {
            var dy = Values(g.Batch * g.InChannels * g.OutPlane, cases);
            var w = Values(g.InChannels * 9, cases + 1);
            var expected = TwinStride2InputGradient(dy, w, g);
            var actual = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
            DepthwiseConv3x3Avx2Stride2.InputGradient(dy, w, actual, g, 0, g.Batch * g.InChannels);
            AssertSame(expected, actual, $"{g}");
            cases++;
        }
        Assert.True(cases > 6800, $"only {cases} geometries ran");
    }

    [Avx2Fact]
    public void Forward_and_input_gradient_through_ConvDepthwise_match_the_naive_loops()
    {
        int cases = 0;
        foreach (int stride in new[] { 1, 2 })
            foreach (var g in Geometries(stride).Where((_, i) => i % 5 == 0))
            {
                var x = Tensor.Randn(new Shape(g.Batch, g.InChannels, g.InHeight, g.InWidth), cases).ToArray();
                var w = Tensor.Randn(new Shape(g.InChannels, 1, 3, 3), cases + 1).ToArray();
                var dy = Tensor.Randn(new Shape(g.Batch, g.InChannels, g.OutHeight, g.OutWidth), cases + 2).ToArray();
                var yRef = new float[dy.Length];
                var dxRef = new float[x.Length];
                ConvNaive.Forward(x, w, yRef, g);
                ConvNaive.BackwardInput(dy, w, dxRef, g);
                var y = Enumerable.Repeat(float.NaN, dy.Length).ToArray();
                var dx = Enumerable.Repeat(float.NaN, x.Length).ToArray();
                ConvDepthwise.Forward(x, w, y, g);
                ConvDepthwise.BackwardInput(dy, w, dx, g);
                GradCheck.Close(yRef, y, 1e-5f, 1e-5f);
                GradCheck.Close(dxRef, dx, 1e-5f, 1e-5f);
                cases++;
            }
        Assert.True(cases > 2600, $"only {cases} geometries ran");
    }

    [Avx2Fact]
    public void Kernels_touch_nothing_outside_their_planes()
    {
        // planes 1 … P of P + 2: planes 0 and P + 1 of the input are NaN (a read there turns an output NaN), those of the
        // output NaN guards (a store there overwrites one)
        int cases = 0;
        foreach (int stride in new[] { 1, 2 })
            foreach (var g in Geometries(stride).Where((_, i) => i % 3 == 0))
            {
                var one = g with { Batch = 1, InChannels = 2, OutChannels = 2, Groups = 2 };
                int planes = 4;
                var x = Enumerable.Repeat(float.NaN, planes * one.InPlane).ToArray();
                Tensor.Randn(new Shape(2 * one.InPlane), cases).ToArray().CopyTo(x, one.InPlane);
                var w = Tensor.Randn(new Shape(18), cases + 1).ToArray();
                var y = Enumerable.Repeat(float.NaN, planes * one.OutPlane).ToArray();
                DepthwiseConv3x3Avx2.Forward(x, w, y, one, new ConvEpilogue(null), 1, 3);
                AssertGuarded(y, one.OutPlane, $"{one} forward");
                if (stride == 2)
                {
                    var dy = Enumerable.Repeat(float.NaN, planes * one.OutPlane).ToArray();
                    Tensor.Randn(new Shape(2 * one.OutPlane), cases + 2).ToArray().CopyTo(dy, one.OutPlane);
                    var dx = Enumerable.Repeat(float.NaN, planes * one.InPlane).ToArray();
                    DepthwiseConv3x3Avx2Stride2.InputGradient(dy, w, dx, one, 1, 3);
                    AssertGuarded(dx, one.InPlane, $"{one} input gradient");
                }
                cases++;
            }
        Assert.True(cases > 3000, $"only {cases} geometries ran");
    }

    private static void AssertGuarded(float[] values, int plane, string what)
    {
        for (int i = 0; i < values.Length; i++)
        {
            bool guard = i < plane || i >= values.Length - plane;
            Assert.True(guard == float.IsNaN(values[i]), $"{what}, element {i} of planes of {plane}: {values[i]}");
        }
    }

    // equal bits, except that any NaN equals any NaN (which of two NaN operands an instruction passes on is not the point)
    private static void AssertSame(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(float.IsNaN(expected[i]) ? float.IsNaN(actual[i]) : BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}, element {i}: {actual[i]} instead of {expected[i]}");
    }

    /// <summary>y = finish(conv(x, w)) output by output: acc = x₀₀·w₀, then acc = fma(xᵢⱼ, wᵢⱼ, acc) row by row, zero
    /// outside the input; then the epilogue over each plane.</summary>
    private static float[] Twin(float[] x, float[] w, in ConvGeometry g, in ConvEpilogue finish)
    {
        int st = g.StrideW, planes = g.Batch * g.InChannels;
        var y = new float[planes * g.OutPlane];
        for (int p = 0; p < planes; p++)
        {
            int c = p % g.InChannels;
            for (int r = 0; r < g.OutHeight; r++)
                for (int s = 0; s < g.OutWidth; s++)
                {
                    float acc = 0f;
                    for (int t = 0; t < 9; t++)
                    {
                        float v = At(x, p, g.InHeight, g.InWidth, r * st - g.PadTop + t / 3, s * st - g.PadLeft + t % 3);
                        acc = t == 0 ? v * w[c * 9] : MathF.FusedMultiplyAdd(v, w[c * 9 + t], acc);
                    }
                    y[(p * g.OutHeight + r) * g.OutWidth + s] = acc;
                }
            if (finish.IsActive) finish.Apply(y.AsSpan(p * g.OutPlane, g.OutPlane), c);
        }
        return y;
    }

    /// <summary>The stride-2 input gradient in <see cref="DepthwiseConv3x3Stride2"/>'s order: with q = row + top,
    /// R = ⌊q/2⌋ and padded column 2m (+1), even q: even columns ((dy[R, m]·w0 + dy[R, m−1]·w2) + dy[R−1, m]·w6) +
    /// dy[R−1, m−1]·w8, odd columns dy[R, m]·w1 + dy[R−1, m]·w7; odd q: dy[R, m]·w3 + dy[R, m−1]·w5 and dy[R, m]·w4.</summary>
    private static float[] TwinStride2InputGradient(float[] dy, float[] w, in ConvGeometry g)
    {
        int planes = g.Batch * g.InChannels, oh = g.OutHeight, ow = g.OutWidth;
        var dx = new float[planes * g.InPlane];
        for (int p = 0; p < planes; p++)
        {
            var f = w.AsSpan(p % g.InChannels * 9, 9);
            for (int row = 0; row < g.InHeight; row++)
                for (int col = 0; col < g.InWidth; col++)
                {
                    int q = row + g.PadTop, pc = col + g.PadLeft, rr = q >> 1, m = pc >> 1;
                    float a0 = At(dy, p, oh, ow, rr, m), a1 = At(dy, p, oh, ow, rr, m - 1), b0 = At(dy, p, oh, ow, rr - 1, m), b1 = At(dy, p, oh, ow, rr - 1, m - 1);
                    float v = (q % 2, pc % 2) switch
                    {
                        (0, 0) => MathF.FusedMultiplyAdd(b1, f[8], MathF.FusedMultiplyAdd(b0, f[6], MathF.FusedMultiplyAdd(a1, f[2], a0 * f[0]))),
                        (0, _) => MathF.FusedMultiplyAdd(b0, f[7], a0 * f[1]),
                        (_, 0) => MathF.FusedMultiplyAdd(a1, f[5], a0 * f[3]),
                        _ => a0 * f[4],
                    };
                    dx[(p * g.InHeight + row) * g.InWidth + col] = v;
                }
        }
        return dx;
    }

    private static float At(float[] planes, int p, int rows, int cols, int r, int c) =>
        (uint)r < (uint)rows && (uint)c < (uint)cols ? planes[(p * rows + r) * cols + c] : 0f;
}
