using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// The weight gradient of the 3×3, stride-1 and stride-2 depthwise convolutions of <see cref="DepthwiseConv3x3"/>:
/// nine vector accumulators per channel, one per tap, summed over every image, output row and 16-column block and
/// reduced across their lanes once at the end.
/// </summary>
/// <remarks>dw[c, i, j] = Σ_{n, r, s} dy[n, c, r, s] · x[n, c, r·stride − top + i, s·stride − left + j]. The tap columns
/// of 16 outputs are loaded as the forward loads them (masked loads, or the stride-2 even/odd split) and the lanes
/// past the output row are cleared, so an input column that no output reads cannot turn a zero into NaN (0·∞). The sum
/// runs in another order than the general kernel's, so values agree to rounding, not bitwise.</remarks>
internal static class DepthwiseConv3x3WeightGradient
{
    /// <summary>Channels [<paramref name="start"/>, <paramref name="end"/>) of dw [C, 1, 3, 3] (overwritten), for
    /// geometries where <see cref="DepthwiseConv3x3.Applies"/> holds.</summary>
    public static unsafe void Compute(float[] dy, float[] x, float[] dw, in ConvGeometry g, int start, int end)
    {
        fixed (float* d = dy, xs = x, t = dw) Compute(d, xs, t, g, start, end);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Compute(float* dys, float* xs, float* dws, in ConvGeometry g, int start, int end)
    {
        int ow = g.OutWidth, oh = g.OutHeight, w = g.InWidth, h = g.InHeight, top = g.PadTop, left = g.PadLeft;
        int channels = g.InChannels, stride = g.StrideW, inPlane = h * w, outPlane = oh * ow, blocks = (ow + 15) / 16;
        var evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var odds = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        // per 16-column block: the tap loads' masks (stride 1: taps j = 0, 1, 2, lanes past the output cleared too;
        // stride 2: the four loads of the split) and the output lanes
        Span<Vector512<float>> masks = blocks <= 32 ? stackalloc Vector512<float>[5 * blocks] : new Vector512<float>[5 * blocks];
        for (int k = 0; k < blocks; k++)
        {
            var output = DepthwiseConv3x3.Inside(16 * k, ow);
            int col = 16 * k * stride - left;
            for (int j = 0; j < 4; j++)
                masks[5 * k + j] = stride == 1 ? DepthwiseConv3x3.Inside(col + j, w) & output : DepthwiseConv3x3.Inside(col + (j & 1) * 16 + (j >> 1) * 2, w);
            masks[5 * k + 4] = output;
        }
        fixed (float* zero = DepthwiseConv3x3.Zeros(w))
        fixed (Vector512<float>* table = masks)
        {
            for (int c = start; c < end; c++)
            {
                Vector512<float> g0 = default, g1 = default, g2 = default, g3 = default, g4 = default, g5 = default, g6 = default, g7 = default, g8 = default;
                for (int n = 0; n < g.Batch; n++)
                {
                    int p = n * channels + c;
                    float* x = xs + (nint)p * inPlane, d = dys + (nint)p * outPlane;
                    for (int r = 0; r < oh; r++)
                    {
                        int ih = r * stride - top;
                        float* q0 = DepthwiseConv3x3.Row(x, zero, ih, h, w), q1 = DepthwiseConv3x3.Row(x, zero, ih + 1, h, w);
                        float* q2 = DepthwiseConv3x3.Row(x, zero, ih + 2, h, w);
                        for (int s = 0; s < ow; s += 16)
                        {
                            Vector512<float>* mk = table + 5 * (s / 16);
                            int at = s * stride - left;
                            var dv = Avx512F.MaskLoad(d + r * ow + s, mk[4], default);
                            Taps(q0 + at, stride, mk, evens, odds, out var x0, out var x1, out var x2);
                            g0 = Vector512.FusedMultiplyAdd(dv, x0, g0); g1 = Vector512.FusedMultiplyAdd(dv, x1, g1); g2 = Vector512.FusedMultiplyAdd(dv, x2, g2);
                            Taps(q1 + at, stride, mk, evens, odds, out x0, out x1, out x2);
                            g3 = Vector512.FusedMultiplyAdd(dv, x0, g3); g4 = Vector512.FusedMultiplyAdd(dv, x1, g4); g5 = Vector512.FusedMultiplyAdd(dv, x2, g5);
                            Taps(q2 + at, stride, mk, evens, odds, out x0, out x1, out x2);
                            g6 = Vector512.FusedMultiplyAdd(dv, x0, g6); g7 = Vector512.FusedMultiplyAdd(dv, x1, g7); g8 = Vector512.FusedMultiplyAdd(dv, x2, g8);
                        }
                    }
                }
                float* target = dws + c * 9;
                target[0] = Vector512.Sum(g0); target[1] = Vector512.Sum(g1); target[2] = Vector512.Sum(g2);
                target[3] = Vector512.Sum(g3); target[4] = Vector512.Sum(g4); target[5] = Vector512.Sum(g5);
                target[6] = Vector512.Sum(g6); target[7] = Vector512.Sum(g7); target[8] = Vector512.Sum(g8);
            }
        }
    }

    /// <summary>The three tap columns of 16 outputs from the input row at <paramref name="p"/>, zero in the lanes
    /// outside the input row and past the output row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Taps(float* p, int stride, Vector512<float>* mk, Vector512<int> evens, Vector512<int> odds,
        out Vector512<float> x0, out Vector512<float> x1, out Vector512<float> x2)
    {
        if (stride == 1)
        {
            DepthwiseConv3x3.Load3(p, mk[0], mk[1], mk[2], out x0, out x1, out x2);
            return;
        }
        DepthwiseConv3x3Stride2.Split(p, mk[0], mk[1], mk[2], mk[3], evens, odds, out x0, out x1, out x2);
        x0 &= mk[4];
        x1 &= mk[4];
        x2 &= mk[4];
    }
}
