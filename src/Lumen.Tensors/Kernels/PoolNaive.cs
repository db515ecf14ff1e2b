namespace Lumen.Tensors.Kernels;

/// <summary>The naive twins of the pooling kernels: every window of every plane, bounds-checked tap by tap, with the
/// 2-D divisor formulas written out. Test oracles for <see cref="PoolMax"/> and <see cref="PoolSeparable"/>.</summary>
internal static class PoolNaive
{
    /// <summary>Max pooling and the first-maximum index of each window (−∞ and −1 for a window with no input tap).</summary>
    public static (float[] Values, int[] Argmax) Max(float[] x, PoolGeometry g)
    {
        int oh = g.OutHeight, ow = g.OutWidth;
        var y = new float[g.Planes * oh * ow];
        var arg = new int[y.Length];
        for (int p = 0; p < g.Planes; p++)
            for (int r = 0; r < oh; r++)
                for (int s = 0; s < ow; s++)
                {
                    float best = float.NegativeInfinity;
                    int bestAt = -1;
                    for (int i = 0; i < g.KernelHeight; i++)
                        for (int j = 0; j < g.KernelWidth; j++)
                        {
                            int ih = r * g.StrideH - g.PadTop + i * g.DilationH, iw = s * g.StrideW - g.PadLeft + j * g.DilationW;
                            if (ih < 0 || ih >= g.InHeight || iw < 0 || iw >= g.InWidth) continue;
                            float v = x[(p * g.InHeight + ih) * g.InWidth + iw];
                            if (bestAt < 0 || v > best) { best = v; bestAt = ih * g.InWidth + iw; }
                        }
                    y[(p * oh + r) * ow + s] = best;
                    arg[(p * oh + r) * ow + s] = bestAt;
                }
        return (y, arg);
    }

    /// <summary>Average pooling with PyTorch's divisor: (hend − hstart)·(wend − wstart) with the window clipped to the
    /// padded input when <paramref name="countIncludePad"/>, else the number of input taps.</summary>
    public static float[] Average(float[] x, PoolGeometry g, bool countIncludePad)
    {
        int oh = g.OutHeight, ow = g.OutWidth;
        var y = new float[g.Planes * oh * ow];
        for (int p = 0; p < g.Planes; p++)
            for (int r = 0; r < oh; r++)
                for (int s = 0; s < ow; s++)
                {
                    int hs = r * g.StrideH - g.PadTop, ws = s * g.StrideW - g.PadLeft;
                    int he = Math.Min(hs + g.KernelHeight, g.InHeight + g.PadBottom), we = Math.Min(ws + g.KernelWidth, g.InWidth + g.PadRight);
                    int padded = (he - hs) * (we - ws);
                    double sum = 0;
                    int count = 0;
                    for (int ih = hs; ih < he; ih++)
                        for (int iw = ws; iw < we; iw++)
                        {
                            if (ih < 0 || ih >= g.InHeight || iw < 0 || iw >= g.InWidth) continue;
                            sum += x[(p * g.InHeight + ih) * g.InWidth + iw];
                            count++;
                        }
                    y[(p * oh + r) * ow + s] = count == 0 ? 0f : (float)(sum / (countIncludePad ? padded : count));
                }
        return y;
    }

    /// <summary>Adaptive average pooling: output (r, s) averages rows [⌊r·H/OH⌋, ⌈(r+1)·H/OH⌉) × the same for columns.</summary>
    public static float[] Adaptive(float[] x, int planes, int h, int w, int oh, int ow)
    {
        var y = new float[planes * oh * ow];
        for (int p = 0; p < planes; p++)
            for (int r = 0; r < oh; r++)
                for (int s = 0; s < ow; s++)
                {
                    int h0 = r * h / oh, h1 = (int)Math.Ceiling((r + 1) * (double)h / oh);
                    int w0 = s * w / ow, w1 = (int)Math.Ceiling((s + 1) * (double)w / ow);
                    double sum = 0;
                    for (int i = h0; i < h1; i++)
                        for (int j = w0; j < w1; j++) sum += x[(p * h + i) * w + j];
                    y[(p * oh + r) * ow + s] = (float)(sum / ((h1 - h0) * (w1 - w0)));
                }
        return y;
    }
}
