using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The max pooling kernel on ragged rows: every width from 1 to 40 under kernels 2 and 3, strides 1 and 2,
/// padding and ceil mode, several planes, so that each of its paths (whole blocks of sixteen windows, a masked last
/// block, rows whose loads would pass the end of the tensor, clipped edge windows) meets ties, −∞, signed zeros and
/// NaN payloads — bitwise against the documented order, and against <see cref="PoolNaive"/> where no NaN is present;
/// the backward pass bitwise against the scatter of the gradient to each window's first maximum in output order.</summary>
public class PoolMaxRaggedTests
{
    public static IEnumerable<object[]> Cases() =>
        from kernel in new[] { 2, 3 }
        from stride in new[] { 1, 2 }
        from pads in new[] { 0, 1, 2 }   // none, one on every side, one on the left and top only
        from ceil in new[] { false, true }
        from dilation in new[] { 1, 2 }   // of the rows (the stride-2 paths take undilated columns only)
        select new object[] { kernel, stride, pads, ceil, dilation };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_width_from_1_to_40_matches_the_reference_bitwise_with_the_first_maximum(int kernel, int stride, int pads, bool ceil, int dilation)
    {
        for (int width = 1; width <= 40; width++)
        {
            int before = pads == 0 ? 0 : 1, after = pads == 1 ? 1 : 0;
            var g = new PoolGeometry(3, 5 + width % 3, width, kernel, kernel, stride, stride, before, before, after, after, dilation, 1, ceil);
            if (width + before + after < kernel || g.InHeight + before + after < dilation * (kernel - 1) + 1) continue;
            var rng = new Random(width * 97 + kernel * 13 + stride * 7 + pads * 3 + (ceil ? 1 : 0) + dilation * 1000);

            // no NaN: the naive loops' values and first maxima
            var plain = Values(g, rng, nan: false);
            var (expected, expectedArg) = PoolNaive.Max(plain, g);
            var (y, arg) = Run(plain, g);
            Assert.Equal(expected, y);
            Assert.Equal(expectedArg, arg);
            Backward(plain, y, expectedArg, g, rng);

            // signed zeros, NaN payloads: bitwise the rows-then-columns order, the gradient to the first NaN
            var special = Values(g, rng, nan: true);
            var (reference, referenceArg) = Reference(special, g);
            (y, arg) = Run(special, g);
            for (int o = 0; o < y.Length; o++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(reference[o]) == BitConverter.SingleToInt32Bits(y[o]),
                    $"{g}: output {o} expected {reference[o]} ({BitConverter.SingleToInt32Bits(reference[o]):X8}) got {y[o]} ({BitConverter.SingleToInt32Bits(y[o]):X8})");
                Assert.True(referenceArg[o] == arg[o], $"{g}: output {o} first maximum expected at {referenceArg[o]} got {arg[o]}");
            }
            Backward(special, y, referenceArg, g, rng);
        }
    }

    [Fact]
    public void The_AVX2_rows_refuse_an_output_too_short_for_their_rows()
    {
        // 3×3/2 on a 9×9 plane: 4×4 outputs, windows wholly inside; an output of 15 floats cannot hold 4 rows of 4
        var g = new PoolGeometry(1, 9, 9, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, false);
        var rows = Enumerable.Repeat((0, 3), g.OutHeight).ToArray();
        var ex = Assert.Throws<ArgumentException>(() => PoolMaxPairs256.Rows(new float[81], new float[15], rows, g, 0, g.OutWidth));
        Assert.Contains("4 rows of 4 outputs overrun the 15 outputs", ex.Message, StringComparison.Ordinal);
        Assert.Equal(4, PoolMaxPairs256.Rows(new float[81], new float[16], rows, g, 0, g.OutWidth));
    }

    [Theory]
    [InlineData(27, 3, 0)]   // 13 windows a row: one masked block of two vectors
    [InlineData(28, 2, 0)]   // 14 windows
    [InlineData(33, 3, 0)]   // 16 windows: one whole block, tap 2 of its last window one column past two vectors (all rows fit, exactly)
    [InlineData(55, 3, 1)]   // 27 windows, padded: a whole block carried into a masked one
    public void Rows_stop_before_a_load_past_the_input(int width, int kernel, int pad)
    {
        // The vector rows read, from each window row's first full-window column c, two vectors per sixteen windows
        // and one column more: a plane given alone must stop at the first output row whose last window row reads past it.
        var g = new PoolGeometry(1, kernel == 2 ? 8 : 9, width, kernel, kernel, 2, 2, pad, pad, pad, pad, 1, 1, false);   // the last window row is the plane's last
        if (!PoolMaxPairs.Apply(g)) return;   // no AVX-512: the row buffer's path only
        var x = Tensor.Randn(new Shape(g.InHeight * g.InWidth), 6).ToArray();
        var rows = Enumerable.Range(0, g.OutHeight).Select(r => (Lo: Math.Max(0, pad - 2 * r), Hi: Math.Min(kernel, g.InHeight + pad - 2 * r))).ToArray();
        int first = pad == 0 ? 0 : 1, last = (width + pad - kernel) / 2 + 1, n = last - first, c = 2 * first - pad;
        int expected = Enumerable.Range(0, g.OutHeight).Append(g.OutHeight).First(r => r == g.OutHeight || (2 * r - pad + rows[r].Hi - 1) * width + c + 2 * ((n + 15) / 16 * 16) + 1 > x.Length);
        var y = new float[g.OutHeight * g.OutWidth];
        Assert.Equal(expected, PoolMaxPairs.Rows(x, y, rows, g, first, last));
        Assert.InRange(expected, 1, g.OutHeight);
        var (reference, _) = PoolNaive.Max(x, g);
        for (int r = 0; r < expected; r++)
            Assert.Equal(reference.AsSpan(r * g.OutWidth + first, n).ToArray(), y.AsSpan(r * g.OutWidth + first, n).ToArray());
    }

    /// <summary>Inputs with ties, −∞ (some windows wholly −∞), and with <paramref name="nan"/> signed zeros and NaNs
    /// of random payloads.</summary>
    private static float[] Values(PoolGeometry g, Random rng, bool nan)
    {
        var x = new float[g.Planes * g.InHeight * g.InWidth];
        for (int i = 0; i < x.Length; i++)
            x[i] = rng.Next(12) switch
            {
                0 => float.NegativeInfinity,
                1 when i > 0 => x[i - 1],   // a tie with the previous tap
                2 when nan => 0f,
                3 when nan => -0f,
                4 when nan && rng.Next(3) == 0 => BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00000) | rng.Next(1 << 22)),
                _ => (float)Math.Round(rng.NextDouble() * 8 - 4, 1),
            };
        if (x.Length >= 4 * g.InWidth) x.AsSpan(g.InWidth, 2 * g.InWidth).Fill(float.NegativeInfinity);   // whole −∞ windows
        return x;
    }

    private static (float[] Values, int[] Argmax) Run(float[] x, PoolGeometry g)
    {
        var results = new List<(float[], int[])>();
        int saved = Parallelism.MaxDegree;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Parallelism.MaxDegree = threads;
                var y = new float[g.Planes * g.OutHeight * g.OutWidth];
                var arg = new int[y.Length];
                PoolMax.Forward(x, y, g);
                PoolMax.Argmax(x, y, arg, g);
                results.Add((y, arg));
            }
        }
        finally { Parallelism.MaxDegree = saved; }
        Assert.Equal(results[0].Item1.Select(BitConverter.SingleToInt32Bits), results[1].Item1.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(results[0].Item2, results[1].Item2);
        return results[0];
    }

    /// <summary>PoolMax.Backward (one and two threads) against dx[p, first maximum of o] += dy[o] in the order of o,
    /// bitwise: gradients of mixed magnitudes, so that another order of the sums would show, and −0 (which a zeroed dx
    /// turns into +0); a dx that the kernel overwrites starts as NaN.</summary>
    private static void Backward(float[] x, float[] y, int[] argmax, PoolGeometry g, Random rng)
    {
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        var dy = new float[y.Length];
        for (int o = 0; o < dy.Length; o++) dy[o] = rng.Next(20) == 0 ? -0f : (float)(rng.NextDouble() - 0.5) * (rng.Next(3) == 0 ? 3e7f : 1f);
        var expected = new float[x.Length];
        for (int o = 0; o < dy.Length; o++)
            if (argmax[o] >= 0) expected[o / outPlane * inPlane + argmax[o]] += dy[o];
        int saved = Parallelism.MaxDegree;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Parallelism.MaxDegree = threads;
                var dx = new float[x.Length];
                if (PoolMax.OverwritesInputGradient(g)) dx.AsSpan().Fill(float.NaN);   // then every element is written
                PoolMax.Backward(dy, x, y, dx, g);
                for (int i = 0; i < dx.Length; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(dx[i]), $"{g}, {threads} threads: dx[{i}] expected {expected[i]} got {dx[i]}");
            }
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    /// <summary>Each column's maximum over the window's rows, then over its columns, with <see cref="PoolMax.Max(float, float)"/>;
    /// the first tap (row-major) equal to it, or NaN where it is NaN; −∞ and −1 for a window with no tap.</summary>
    private static (float[] Values, int[] Argmax) Reference(float[] x, PoolGeometry g)
    {
        var y = new float[g.Planes * g.OutHeight * g.OutWidth];
        var arg = new int[y.Length];
        for (int p = 0; p < g.Planes; p++)
            for (int r = 0; r < g.OutHeight; r++)
                for (int s = 0; s < g.OutWidth; s++)
                {
                    float best = float.NegativeInfinity;
                    for (int j = 0; j < g.KernelWidth; j++)
                    {
                        int iw = s * g.StrideW - g.PadLeft + j;
                        if (iw < 0 || iw >= g.InWidth) continue;
                        float? column = null;
                        for (int i = 0; i < g.KernelHeight; i++)
                        {
                            int ih = r * g.StrideH - g.PadTop + i * g.DilationH;
                            if (ih >= 0 && ih < g.InHeight) column = column is { } c ? PoolMax.Max(c, x[(p * g.InHeight + ih) * g.InWidth + iw]) : x[(p * g.InHeight + ih) * g.InWidth + iw];
                        }
                        if (column is { } m) best = PoolMax.Max(best, m);
                    }
                    int o = (p * g.OutHeight + r) * g.OutWidth + s, at = -1;
                    for (int i = 0; i < g.KernelHeight && at < 0; i++)
                        for (int j = 0; j < g.KernelWidth && at < 0; j++)
                        {
                            int ih = r * g.StrideH - g.PadTop + i * g.DilationH, iw = s * g.StrideW - g.PadLeft + j;
                            if (ih < 0 || ih >= g.InHeight || iw < 0 || iw >= g.InWidth) continue;
                            float v = x[(p * g.InHeight + ih) * g.InWidth + iw];
                            if (v == best || (float.IsNaN(v) && float.IsNaN(best))) at = ih * g.InWidth + iw;
                        }
                    y[o] = best;
                    arg[o] = at;
                }
        return (y, arg);
    }
}
