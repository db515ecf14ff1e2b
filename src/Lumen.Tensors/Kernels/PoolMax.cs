namespace Lumen.Tensors.Kernels;

/// <summary>
/// Max pooling over [planes, H, W] with the index of each window's first maximum (row-major scan), which the
/// backward pass routes the gradient to. The valid tap range of every output row and column is computed once,
/// so the inner loops carry no bounds tests. Parallel over planes. <see cref="PoolNaive"/> is the oracle.
/// </summary>
/// <remarks>y[p, r, s] = max_{i, j} x[p, r·sh − top + i·dh, s·sw − left + j·dw] over the taps inside the input
/// (padding never wins; NaN propagates). A window with no tap inside gives −∞ and index −1.</remarks>
internal static class PoolMax
{
    /// <summary>Fills <paramref name="y"/> [planes, OH, OW] and <paramref name="argmax"/> (offsets within the input plane).</summary>
    public static void Forward(float[] x, float[] y, int[] argmax, PoolGeometry g)
    {
        int oh = g.OutHeight, ow = g.OutWidth, inPlane = g.InHeight * g.InWidth, outPlane = oh * ow;
        var rows = TapRanges(oh, g.InHeight, g.KernelHeight, g.StrideH, g.PadTop, g.DilationH);
        var cols = TapRanges(ow, g.InWidth, g.KernelWidth, g.StrideW, g.PadLeft, g.DilationW);
        Parallelism.For(g.Planes, (long)outPlane * g.KernelHeight * g.KernelWidth, (start, end) =>
        {
            for (int p = start; p < end; p++)
            {
                var input = x.AsSpan(p * inPlane, inPlane);
                for (int r = 0; r < oh; r++)
                {
                    var (ilo, ihi) = rows[r];
                    int row0 = r * g.StrideH - g.PadTop;
                    for (int s = 0; s < ow; s++)
                    {
                        var (jlo, jhi) = cols[s];
                        int col0 = s * g.StrideW - g.PadLeft;
                        float best = float.NegativeInfinity;
                        int bestAt = -1;
                        for (int i = ilo; i < ihi; i++)
                        {
                            int line = (row0 + i * g.DilationH) * g.InWidth + col0;
                            for (int j = jlo; j < jhi; j++)
                            {
                                int at = line + j * g.DilationW;
                                float v = input[at];
                                if (v > best || bestAt < 0 || float.IsNaN(v)) { best = v; bestAt = at; }
                            }
                        }
                        int o = p * outPlane + r * ow + s;
                        y[o] = best;
                        argmax[o] = bestAt;
                    }
                }
            }
        });
    }

    /// <summary>dx[p, argmax] += dy[p, ·] (dx must be zero on entry).</summary>
    public static void Backward(float[] dy, int[] argmax, float[] dx, PoolGeometry g)
    {
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        Parallelism.For(g.Planes, outPlane, (start, end) =>
        {
            for (int p = start; p < end; p++)
            {
                var target = dx.AsSpan(p * inPlane, inPlane);
                for (int o = p * outPlane; o < (p + 1) * outPlane; o++)
                    if (argmax[o] >= 0) target[argmax[o]] += dy[o];
            }
        });
    }

    /// <summary>For each output position, the taps [lo, hi) whose input coordinate lies in [0, size).</summary>
    private static (int Lo, int Hi)[] TapRanges(int outSize, int inSize, int kernel, int stride, int pad, int dilation)
    {
        var ranges = new (int, int)[outSize];
        for (int o = 0; o < outSize; o++)
        {
            int start = o * stride - pad;
            int lo = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
            int hi = start >= inSize ? 0 : Math.Min(kernel, (inSize - 1 - start) / dilation + 1);
            ranges[o] = (Math.Min(lo, kernel), Math.Max(hi, Math.Min(lo, kernel)));
        }
        return ranges;
    }
}
