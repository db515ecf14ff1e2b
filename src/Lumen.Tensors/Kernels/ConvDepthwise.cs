using System.Numerics.Tensors;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// Direct depthwise convolution (groups == C == O: one kh×kw filter per channel, as in MobileNet). Each tap adds a
/// scaled input row segment onto an output row segment, a SIMD multiply-add when the stride is 1. Parallel over
/// (image, channel) planes; the weight gradient is parallel over channels. Stride-1 convolutions take the
/// register-blocked <see cref="ConvDepthwiseStride1"/> instead.
/// </summary>
/// <remarks>y[n, c, r, s] = Σ_{i, j} w[c, i, j] · x[n, c, r·sh − pt + i·dh, s·sw − pl + j·dw].</remarks>
internal static class ConvDepthwise
{
    /// <summary>y = depthwise conv(x, w) (y is overwritten).</summary>
    public static void Forward(float[] x, float[] w, float[] y, ConvGeometry g)
    {
        int taps = g.KernelHeight * g.KernelWidth;
        Parallelism.For(g.Batch * g.InChannels, (long)g.OutPlane * taps, (start, end) =>
        {
            for (int p = start; p < end; p++)
            {
                var input = x.AsSpan(p * g.InPlane, g.InPlane);
                var output = y.AsSpan(p * g.OutPlane, g.OutPlane);
                var filter = w.AsSpan(p % g.InChannels * taps, taps);
                if (UseStride1(g)) { ConvDepthwiseStride1.ForwardPlane(input, output, filter, g); continue; }
                output.Clear();
                for (int r = 0; r < g.OutHeight; r++)
                {
                    var line = output.Slice(r * g.OutWidth, g.OutWidth);
                    for (int i = 0; i < g.KernelHeight; i++)
                    {
                        int ih = r * g.StrideH - g.PadTop + i * g.DilationH;
                        if (ih < 0 || ih >= g.InHeight) continue;
                        var source = input.Slice(ih * g.InWidth, g.InWidth);
                        for (int j = 0; j < g.KernelWidth; j++)
                        {
                            var (lo, hi) = ConvGeometry.ValidRange(g.OutWidth, g.InWidth, g.StrideW, g.PadLeft, j * g.DilationW);
                            if (lo >= hi) continue;
                            float wv = filter[i * g.KernelWidth + j];
                            int offset = j * g.DilationW - g.PadLeft;
                            if (g.StrideW == 1)
                            {
                                var dst = line[lo..hi];
                                TensorPrimitives.MultiplyAdd(source.Slice(lo + offset, hi - lo), wv, dst, dst);
                            }
                            else for (int s = lo; s < hi; s++) line[s] += wv * source[s * g.StrideW + offset];
                        }
                    }
                }
            }
        });
    }

    /// <summary>dx = the input gradient for output gradient dy (dx must be zero on entry).</summary>
    public static void BackwardInput(float[] dy, float[] w, float[] dx, ConvGeometry g)
    {
        int taps = g.KernelHeight * g.KernelWidth;
        if (UseStride1(g))
        {
            // stride 1: dx = dy correlated with the flipped kernel, padded by dh·(kh − 1) − top (etc.)
            var flipped = new float[w.Length];
            for (int c = 0; c < g.InChannels; c++)
                for (int t = 0; t < taps; t++) flipped[c * taps + t] = w[c * taps + taps - 1 - t];
            int extentH = g.DilationH * (g.KernelHeight - 1), extentW = g.DilationW * (g.KernelWidth - 1);
            var adjoint = g with
            {
                InHeight = g.OutHeight, InWidth = g.OutWidth,
                PadTop = extentH - g.PadTop, PadLeft = extentW - g.PadLeft, PadBottom = extentH - g.PadBottom, PadRight = extentW - g.PadRight,
            };
            Forward(dy, flipped, dx, adjoint);
            return;
        }
        Parallelism.For(g.Batch * g.InChannels, (long)g.OutPlane * taps, (start, end) =>
        {
            for (int p = start; p < end; p++)
            {
                var target = dx.AsSpan(p * g.InPlane, g.InPlane);
                var grad = dy.AsSpan(p * g.OutPlane, g.OutPlane);
                var filter = w.AsSpan(p % g.InChannels * taps, taps);
                for (int r = 0; r < g.OutHeight; r++)
                {
                    var line = grad.Slice(r * g.OutWidth, g.OutWidth);
                    for (int i = 0; i < g.KernelHeight; i++)
                    {
                        int ih = r * g.StrideH - g.PadTop + i * g.DilationH;
                        if (ih < 0 || ih >= g.InHeight) continue;
                        var dst = target.Slice(ih * g.InWidth, g.InWidth);
                        for (int j = 0; j < g.KernelWidth; j++)
                        {
                            var (lo, hi) = ConvGeometry.ValidRange(g.OutWidth, g.InWidth, g.StrideW, g.PadLeft, j * g.DilationW);
                            if (lo >= hi) continue;
                            float wv = filter[i * g.KernelWidth + j];
                            int offset = j * g.DilationW - g.PadLeft;
                            if (g.StrideW == 1)
                            {
                                var d = dst.Slice(lo + offset, hi - lo);
                                TensorPrimitives.MultiplyAdd(line[lo..hi], wv, d, d);
                            }
                            else for (int s = lo; s < hi; s++) dst[s * g.StrideW + offset] += wv * line[s];
                        }
                    }
                }
            }
        });
    }

    /// <summary>dw = the weight gradient for output gradient dy (dw is overwritten).</summary>
    public static void BackwardWeight(float[] dy, float[] x, float[] dw, ConvGeometry g)
    {
        int taps = g.KernelHeight * g.KernelWidth;
        Parallelism.For(g.InChannels, (long)g.Batch * g.OutPlane * taps, (start, end) =>
        {
            for (int c = start; c < end; c++)
            {
                var filterGrad = dw.AsSpan(c * taps, taps);
                filterGrad.Clear();
                for (int n = 0; n < g.Batch; n++)
                {
                    int p = n * g.InChannels + c;
                    if (UseStride1(g))
                    {
                        ConvDepthwiseStride1.WeightGradientPlane(x.AsSpan(p * g.InPlane, g.InPlane), dy.AsSpan(p * g.OutPlane, g.OutPlane), filterGrad, g);
                        continue;
                    }
                    var input = x.AsSpan(p * g.InPlane, g.InPlane);
                    var grad = dy.AsSpan(p * g.OutPlane, g.OutPlane);
                    for (int r = 0; r < g.OutHeight; r++)
                    {
                        var line = grad.Slice(r * g.OutWidth, g.OutWidth);
                        for (int i = 0; i < g.KernelHeight; i++)
                        {
                            int ih = r * g.StrideH - g.PadTop + i * g.DilationH;
                            if (ih < 0 || ih >= g.InHeight) continue;
                            var source = input.Slice(ih * g.InWidth, g.InWidth);
                            for (int j = 0; j < g.KernelWidth; j++)
                            {
                                var (lo, hi) = ConvGeometry.ValidRange(g.OutWidth, g.InWidth, g.StrideW, g.PadLeft, j * g.DilationW);
                                if (lo >= hi) continue;
                                int offset = j * g.DilationW - g.PadLeft;
                                float acc = 0;
                                if (g.StrideW == 1) acc = TensorPrimitives.Dot(line[lo..hi], source.Slice(lo + offset, hi - lo));
                                else for (int s = lo; s < hi; s++) acc += line[s] * source[s * g.StrideW + offset];
                                filterGrad[i * g.KernelWidth + j] += acc;
                            }
                        }
                    }
                }
            }
        });
    }

    private static bool UseStride1(in ConvGeometry g) => g.StrideH == 1 && g.StrideW == 1 && ConvDepthwiseStride1.IsSupported;
}
