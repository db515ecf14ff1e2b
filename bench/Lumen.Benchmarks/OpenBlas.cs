using System.Runtime.InteropServices;

namespace Lumen.Benchmarks;

/// <summary>The reference SGEMM: OpenBLAS's <c>cblas_sgemm</c> loaded at run time from libopenblas.so.0
/// (benchmark only; Lumen itself has no native dependency). <see cref="TryLoad"/> returns null when absent.</summary>
internal sealed unsafe class OpenBlas
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> sgemm;
    private readonly delegate* unmanaged<int, void> setNumThreads;
    private readonly delegate* unmanaged<nint> getCoreName;

    private OpenBlas(nint library)
    {
        sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)NativeLibrary.GetExport(library, "cblas_sgemm");
        setNumThreads = (delegate* unmanaged<int, void>)NativeLibrary.GetExport(library, "openblas_set_num_threads");
        getCoreName = NativeLibrary.TryGetExport(library, "openblas_get_corename", out var name) ? (delegate* unmanaged<nint>)name : null;
    }

    /// <summary>Loads OpenBLAS, or returns null (with the reason in <paramref name="error"/>) when it is not installed.</summary>
    public static OpenBlas? TryLoad(out string? error)
    {
        foreach (var name in new[] { "libopenblas.so.0", "libopenblas.so", "libopenblas" })
        {
            if (NativeLibrary.TryLoad(name, out var library))
            {
                error = null;
                return new OpenBlas(library);
            }
        }
        error = "libopenblas.so.0 not found (apt-get install -y libopenblas0)";
        return null;
    }

    /// <summary>The micro-architecture OpenBLAS dispatched to (e.g. "Zen", "Haswell", "SkylakeX"), if it says.</summary>
    public string? CoreName => getCoreName is null ? null : Marshal.PtrToStringAnsi(getCoreName());

    /// <summary>Sets OpenBLAS's thread count.</summary>
    public void SetThreads(int threads) => setNumThreads(threads);

    /// <summary>C = op(A)·op(B), row-major and densely packed, with the same conventions as Lumen's Gemm.</summary>
    public void Multiply(float[] a, float[] b, float[] c, int m, int n, int k, bool transA = false, bool transB = false)
    {
        fixed (float* pa = a, pb = b, pc = c)
            sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, 1f, pa, transA ? m : k, pb, transB ? k : n, 0f, pc, n);
    }
}
