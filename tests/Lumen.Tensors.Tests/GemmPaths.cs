using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The explicit GEMM paths this machine can run: scalar always, the 256-bit kernel with AVX2 and FMA, the
/// 512-bit one with AVX-512 (forcing a path the hardware lacks faults in its intrinsics).</summary>
internal static class GemmPaths
{
    public static bool Runs(GemmPath path) => path switch
    {
        GemmPath.Vector512 => Avx512F.IsSupported && Vector512.IsHardwareAccelerated,
        GemmPath.Vector256 => Vector256.IsHardwareAccelerated && Fma.IsSupported,
        _ => true,
    };

    /// <summary>The packed paths that run here.</summary>
    public static readonly GemmPath[] Packed = [.. new[] { GemmPath.Scalar, GemmPath.Vector256, GemmPath.Vector512 }.Where(Runs)];
}
