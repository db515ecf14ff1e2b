using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lumen.Tensors.Kernels;

/// <summary>
/// 6×16 micro-kernel on 256-bit vectors (AVX2 + FMA): 12 accumulators, 2 B loads and 1 broadcast of A per
/// step fill 15 of the 16 ymm registers (the classic Haswell/Zen register budget).
/// </summary>
/// <remarks>Blocking measured on Zen 3 (32 KiB L1d, 512 KiB L2): KC = 512 beat 256 and 384 by 2–4 % at n ≥ 1024
/// (fewer C read-modify-writes per FMA; the 32 KiB B micro-panel streams from L2 fast enough);
/// MC·KC·4 = 288 KiB of packed A stays in L2, KC·NC·4 = 6 MiB of packed B in L3.</remarks>
internal readonly unsafe struct GemmKernel256 : IGemmMicroKernel
{
    public static int MR => 6;
    public static int NR => 16;
    public static int MC => 144;
    public static int KC => 512;
    public static int NC => 3072;

    /// <inheritdoc/>
    public static int RowsWritten(int rows) => MR;

    /// <inheritdoc/>
    public static void RunRows(int kc, float* a, float* b, float* c, nint ldc, bool overwrite, int rows, int cols) => Run(kc, a, b, c, ldc, overwrite);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, bool overwrite)
    {
        PrefetchTile(c, ldc);
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.LoadAligned(b);                    // B[p, 0..8]
            var b1 = Vector256.LoadAligned(b + 8);                // B[p, 8..16]
            var ai = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(ai, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(ai, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(ai, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(ai, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(ai, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(ai, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(ai, b1, c51);
            a += 6;
            b += 16;
        }
        Store(c, c00, c01, overwrite);
        Store(c + ldc, c10, c11, overwrite);
        Store(c + 2 * ldc, c20, c21, overwrite);
        Store(c + 3 * ldc, c30, c31, overwrite);
        Store(c + 4 * ldc, c40, c41, overwrite);
        Store(c + 5 * ldc, c50, c51, overwrite);
    }

    /// <summary>Starts loading the C tile into L1 so the final read-modify-write does not stall.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile(float* c, nint ldc)
    {
        if (!Sse.IsSupported) return;
        for (int r = 0; r < 6; r++)
        {
            Sse.Prefetch0(c + r * ldc);
            Sse.Prefetch0(c + r * ldc + 15);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* row, Vector256<float> left, Vector256<float> right, bool overwrite)
    {
        if (!overwrite)
        {
            left += Vector256.Load(row);
            right += Vector256.Load(row + 8);
        }
        left.Store(row);
        right.Store(row + 8);
    }
}
