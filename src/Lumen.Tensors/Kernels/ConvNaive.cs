namespace Lumen.Tensors.Kernels;

/// <summary>The naive twin of <see cref="Conv2dKernel"/>: direct nested loops over every output, channel and tap.
/// The test oracle for the fast paths (im2col + GEMM, pointwise, depthwise).</summary>
internal static class ConvNaive
{
    /// <summary>y[n, o, oh, ow] = Σ_{c, i, j} w[o, c, i, j] · x[n, g·C/g + c, oh·sh − pt + i·dh, ow·sw − pl + j·dw].</summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y, in ConvGeometry g)
    {
        int oh = g.OutHeight, ow = g.OutWidth, cg = g.InPerGroup, og = g.OutPerGroup;
        for (int n = 0; n < g.Batch; n++)
            for (int o = 0; o < g.OutChannels; o++)
            {
                int group = o / og;
                for (int r = 0; r < oh; r++)
                    for (int s = 0; s < ow; s++)
                    {
                        double acc = 0;
                        for (int c = 0; c < cg; c++)
                            for (int i = 0; i < g.KernelHeight; i++)
                                for (int j = 0; j < g.KernelWidth; j++)
                                {
                                    int ih = r * g.StrideH - g.PadTop + i * g.DilationH;
                                    int iw = s * g.StrideW - g.PadLeft + j * g.DilationW;
                                    if (ih < 0 || ih >= g.InHeight || iw < 0 || iw >= g.InWidth) continue;
                                    acc += w[((o * cg + c) * g.KernelHeight + i) * g.KernelWidth + j]
                                         * x[((n * g.InChannels + group * cg + c) * g.InHeight + ih) * g.InWidth + iw];
                                }
                        y[((n * g.OutChannels + o) * oh + r) * ow + s] = (float)acc;
                    }
            }
    }

    /// <summary>dx = the adjoint of <see cref="Forward"/> in x applied to dy (dx is overwritten).</summary>
    public static void BackwardInput(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx, in ConvGeometry g)
    {
        dx.Clear();
        Visit(g, dy, w, dx, isWeight: false);
    }

    /// <summary>dw = the adjoint of <see cref="Forward"/> in w applied to dy (dw is overwritten).</summary>
    public static void BackwardWeight(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dw, in ConvGeometry g)
    {
        dw.Clear();
        Visit(g, dy, x, dw, isWeight: true);
    }

    // Walks every (output, tap) pair once: target[x or w index] += dy[y] · source[w or x index].
    private static void Visit(in ConvGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> source, Span<float> target, bool isWeight)
    {
        int oh = g.OutHeight, ow = g.OutWidth, cg = g.InPerGroup, og = g.OutPerGroup;
        for (int n = 0; n < g.Batch; n++)
            for (int o = 0; o < g.OutChannels; o++)
            {
                int group = o / og;
                for (int r = 0; r < oh; r++)
                    for (int s = 0; s < ow; s++)
                    {
                        float d = dy[((n * g.OutChannels + o) * oh + r) * ow + s];
                        for (int c = 0; c < cg; c++)
                            for (int i = 0; i < g.KernelHeight; i++)
                                for (int j = 0; j < g.KernelWidth; j++)
                                {
                                    int ih = r * g.StrideH - g.PadTop + i * g.DilationH;
                                    int iw = s * g.StrideW - g.PadLeft + j * g.DilationW;
                                    if (ih < 0 || ih >= g.InHeight || iw < 0 || iw >= g.InWidth) continue;
                                    int wi = ((o * cg + c) * g.KernelHeight + i) * g.KernelWidth + j;
                                    int xi = ((n * g.InChannels + group * cg + c) * g.InHeight + ih) * g.InWidth + iw;
                                    if (isWeight) target[wi] += d * source[xi];
                                    else target[xi] += d * source[wi];
                                }
                    }
            }
    }
}
