using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// A pointwise (1×1) convolution to exactly 16 output channels on AVX-512, read and written in NCHW without packing:
/// sixteen positions at a time, y[·, p] = Σ_c Wᵀ[c] · x[c, p] with the 16 output channels as the lanes of one vector
/// and each input value broadcast from its row (SqueezeNet's squeeze layers, 64 or 128 → 16 at 55²). The GEMM path gives
/// such a product a 12-row and a 4-row pass over B, both after packing all of B: 2.4× ONNX Runtime's time in context.
/// </summary>
/// <remarks>The sixteen sums of a tile go through a stack tile and one in-register transpose
/// (<see cref="BlockedLayout.Transpose16"/>) into the sixteen channel rows; then the epilogue (bias, activation) runs on
/// the tile while it is in cache. Each value sums its channels in order from zero, so it does not depend on the batch
/// or the thread count. Not for recorded passes that watch clamp ties, nor for a residual (the GEMM path keeps them).</remarks>
internal static unsafe class ConvPointwiseNarrow
{
    private const int Lanes = 16;

    /// <summary>Whether <see cref="Forward"/> runs this convolution and epilogue.</summary>
    public static bool Applies(in ConvGeometry g, in ConvEpilogue epilogue) =>
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated && g.IsPointwise && g.Groups == 1 && g.OutChannels == Lanes
        && g.InChannels >= Lanes && g.OutPlane >= Lanes && !epilogue.WatchesTies && !epilogue.HasResidual;

    /// <summary>y [N, 16, P] = the convolution of x [N, C, P] with w [16, C], then the epilogue.</summary>
    public static void Forward(float[] x, float[] w, float[] y, in ConvGeometry g, in ConvEpilogue epilogue)
    {
        if (!Applies(g, epilogue))
            throw new ArgumentException($"ConvPointwiseNarrow: not a pointwise convolution to 16 channels it runs ({g}).", nameof(g));
        int c = g.InChannels, plane = g.OutPlane, tiles = (plane + Lanes - 1) / Lanes;
        var transposed = BlockedWeights.Pointwise(w, Lanes, c);   // Wᵀ, row k holding w[·, k]: one output block (kept for read-only weights)
        var e = epilogue;
        Parallelism.For(g.Batch * tiles, (long)Lanes * c * Lanes, (start, end) =>
        {
            var tile = stackalloc float[Lanes * Lanes];
            fixed (float* xs = x, ws = transposed, ys = y)
                for (int item = start; item < end; item++)
                {
                    int n = item / tiles, p = item % tiles * Lanes, count = Math.Min(Lanes, plane - p);
                    float* input = xs + (nint)n * c * plane + p, output = ys + (nint)n * Lanes * plane + p;
                    if (count == Lanes)
                    {
                        Tile(input, plane, ws, c, tile);
                        BlockedLayout.Transpose16(tile, Lanes, output, plane);
                    }
                    else
                        for (int q = 0; q < count; q++) Position(input + q, plane, ws, c, output + q);
                    e.Apply(output, plane, 0, Lanes, count);
                }
        });
    }

    /// <summary>Sixteen positions: tile[q·16 + o] = Σ_k w[o, k] · x[k, q].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(float* x, nint plane, float* wt, int depth, float* tile)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector512<float> a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
        for (int k = 0; k < depth; k++, x += plane, wt += Lanes)
        {
            var v = Vector512.Load(wt);
            Sse.Prefetch0(x + 8 * Lanes);                                   // this row eight tiles on: one prefetch stream per row
            a0 = Vector512.FusedMultiplyAdd(Vector512.Create(x[0]), v, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.Create(x[1]), v, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.Create(x[2]), v, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.Create(x[3]), v, a3);
            a4 = Vector512.FusedMultiplyAdd(Vector512.Create(x[4]), v, a4);
            a5 = Vector512.FusedMultiplyAdd(Vector512.Create(x[5]), v, a5);
            a6 = Vector512.FusedMultiplyAdd(Vector512.Create(x[6]), v, a6);
            a7 = Vector512.FusedMultiplyAdd(Vector512.Create(x[7]), v, a7);
            a8 = Vector512.FusedMultiplyAdd(Vector512.Create(x[8]), v, a8);
            a9 = Vector512.FusedMultiplyAdd(Vector512.Create(x[9]), v, a9);
            a10 = Vector512.FusedMultiplyAdd(Vector512.Create(x[10]), v, a10);
            a11 = Vector512.FusedMultiplyAdd(Vector512.Create(x[11]), v, a11);
            a12 = Vector512.FusedMultiplyAdd(Vector512.Create(x[12]), v, a12);
            a13 = Vector512.FusedMultiplyAdd(Vector512.Create(x[13]), v, a13);
            a14 = Vector512.FusedMultiplyAdd(Vector512.Create(x[14]), v, a14);
            a15 = Vector512.FusedMultiplyAdd(Vector512.Create(x[15]), v, a15);
        }
        a0.Store(tile); a1.Store(tile + 16); a2.Store(tile + 32); a3.Store(tile + 48);
        a4.Store(tile + 64); a5.Store(tile + 80); a6.Store(tile + 96); a7.Store(tile + 112);
        a8.Store(tile + 128); a9.Store(tile + 144); a10.Store(tile + 160); a11.Store(tile + 176);
        a12.Store(tile + 192); a13.Store(tile + 208); a14.Store(tile + 224); a15.Store(tile + 240);
    }

    /// <summary>One position of the last, partial tile: y[o, ·] = Σ_k w[o, k] · x[k, ·], channel o plane apart.</summary>
    private static void Position(float* x, nint plane, float* wt, int depth, float* y)
    {
        var a = Vector512<float>.Zero;
        for (int k = 0; k < depth; k++, x += plane, wt += Lanes) a = Vector512.FusedMultiplyAdd(Vector512.Create(*x), Vector512.Load(wt), a);
        for (int o = 0; o < Lanes; o++) y[o * plane] = a.GetElement(o);
    }
}
