using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

/// <summary>The explicit GEMM paths this machine can run: scalar always, the 256-bit kernel with AVX2 and FMA, the
/// 512-bit one with AVX-512, i.e. those no wider than <see cref="Gemm.BestPath"/> (forcing a path the hardware lacks
/// faults in its intrinsics).</summary>
internal static class GemmPaths
{
    public static bool Runs(GemmPath path) => path switch
    {
        GemmPath.Vector512 => Gemm.BestPath == GemmPath.Vector512,
        GemmPath.Vector256 => Gemm.BestPath is GemmPath.Vector512 or GemmPath.Vector256,
        _ => true,
    };

    /// <summary>The packed paths that run here.</summary>
    public static readonly GemmPath[] Packed = [.. new[] { GemmPath.Scalar, GemmPath.Vector256, GemmPath.Vector512 }.Where(Runs)];
}
