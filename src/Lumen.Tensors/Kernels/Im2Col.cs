using System.Numerics.Tensors;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The im2col lowering of a convolution and its adjoint (col2im), for a band of output rows of one image and one
/// group. The column matrix is [Cg·kh·kw, rows·OW]: row (c·kh + i)·kw + j holds, for every output position in the
/// band, the input value under tap (i, j) of channel c (zero in the padding). Then output = W[Og, K] · cols.
/// </summary>
internal static class Im2Col
{
    /// <summary>Fills <paramref name="cols"/> [K, rows·OW] from <paramref name="x"/>, the group's channels [Cg, H, W],
    /// for output rows [row0, row0 + rows).</summary>
    public static void Fill(ReadOnlySpan<float> x, Span<float> cols, in ConvGeometry g, int row0, int rows)
    {
        int ow = g.OutWidth, width = rows * ow;
        for (int c = 0; c < g.InPerGroup; c++)
        {
            var plane = x.Slice(c * g.InPlane, g.InPlane);
            for (int i = 0; i < g.KernelHeight; i++)
                for (int j = 0; j < g.KernelWidth; j++)
                {
                    var dst = cols.Slice(((c * g.KernelHeight + i) * g.KernelWidth + j) * width, width);
                    var (lo, hi) = ConvGeometry.ValidRange(ow, g.InWidth, g.StrideW, g.PadLeft, j * g.DilationW);
                    int colOffset = j * g.DilationW - g.PadLeft;
                    for (int r = 0; r < rows; r++)
                    {
                        var line = dst.Slice(r * ow, ow);
                        int ih = (row0 + r) * g.StrideH - g.PadTop + i * g.DilationH;
                        if (ih < 0 || ih >= g.InHeight || lo >= hi) { line.Clear(); continue; }
                        line[..lo].Clear();
                        line[hi..].Clear();
                        var src = plane.Slice(ih * g.InWidth, g.InWidth);
                        if (g.StrideW == 1) src.Slice(lo + colOffset, hi - lo).CopyTo(line[lo..hi]);
                        else for (int s = lo; s < hi; s++) line[s] = src[s * g.StrideW + colOffset];
                    }
                }
        }
    }

    /// <summary>col2im: adds each entry of <paramref name="cols"/> [K, rows·OW] back onto the input position it was
    /// read from in <paramref name="dx"/> [Cg, H, W] — the adjoint of <see cref="Fill"/>.</summary>
    public static void AddBack(ReadOnlySpan<float> cols, Span<float> dx, in ConvGeometry g, int row0, int rows)
    {
        int ow = g.OutWidth, width = rows * ow;
        for (int c = 0; c < g.InPerGroup; c++)
        {
            var plane = dx.Slice(c * g.InPlane, g.InPlane);
            for (int i = 0; i < g.KernelHeight; i++)
                for (int j = 0; j < g.KernelWidth; j++)
                {
                    var src = cols.Slice(((c * g.KernelHeight + i) * g.KernelWidth + j) * width, width);
                    var (lo, hi) = ConvGeometry.ValidRange(ow, g.InWidth, g.StrideW, g.PadLeft, j * g.DilationW);
                    if (lo >= hi) continue;
                    int colOffset = j * g.DilationW - g.PadLeft;
                    for (int r = 0; r < rows; r++)
                    {
                        int ih = (row0 + r) * g.StrideH - g.PadTop + i * g.DilationH;
                        if (ih < 0 || ih >= g.InHeight) continue;
                        var line = src.Slice(r * ow, ow);
                        var dst = plane.Slice(ih * g.InWidth, g.InWidth);
                        if (g.StrideW == 1)
                        {
                            var d = dst.Slice(lo + colOffset, hi - lo);
                            TensorPrimitives.Add(d, line[lo..hi], d);
                        }
                        else for (int s = lo; s < hi; s++) dst[s * g.StrideW + colOffset] += line[s];
                    }
                }
        }
    }
}
