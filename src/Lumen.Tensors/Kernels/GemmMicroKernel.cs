namespace Lumen.Tensors.Kernels;

/// <summary>
/// A register-blocked GEMM micro-kernel and the cache blocking that goes with it (BLIS terminology:
/// Van Zee &amp; van de Geijn, "BLIS: A Framework for Rapidly Instantiating BLAS Functionality", 2015).
/// </summary>
/// <remarks>
/// The kernel computes one MR×NR tile of C from a packed MR-row micro-panel of A (kc steps of MR values)
/// and a packed NR-column micro-panel of B (kc steps of NR values): C[MR,NR] (+)= Σₚ a[p,:]ᵀ·b[p,:].
/// MC (a multiple of MR) × KC floats of packed A should stay in L2, KC × NR of B in L1, and KC × NC of B in L3.
/// Implementations are structs so that the generic driver is specialised and the constants are folded.
/// </remarks>
internal unsafe interface IGemmMicroKernel
{
    /// <summary>Rows of the register tile.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the register tile.</summary>
    static abstract int NR { get; }

    /// <summary>Rows of A packed per L2 block (a multiple of MR).</summary>
    static abstract int MC { get; }

    /// <summary>Depth of one packed block (the k extent per pass).</summary>
    static abstract int KC { get; }

    /// <summary>Columns of B packed per L3 block (a multiple of NR).</summary>
    static abstract int NC { get; }

    /// <summary>C[MR,NR] (row stride <paramref name="ldc"/>) = (or += unless <paramref name="overwrite"/>) the
    /// product of the packed panels <paramref name="a"/> [kc, MR] and <paramref name="b"/> [kc, NR].</summary>
    static abstract void Run(int kc, float* a, float* b, float* c, nint ldc, bool overwrite);

    /// <summary>How many rows <see cref="RunRows"/> writes for a ragged tile of <paramref name="rows"/> rows (at
    /// least <paramref name="rows"/>, at most MR).</summary>
    static abstract int RowsWritten(int rows);

    /// <summary>Whether <see cref="RunRows"/> writes only the first cols columns (else it writes all NR).</summary>
    static virtual bool MasksColumns => false;

    /// <summary>As <see cref="Run"/> for the first <see cref="RowsWritten"/>(<paramref name="rows"/>) rows of the tile
    /// only (and, when <see cref="MasksColumns"/>, its first <paramref name="cols"/> columns), so that a ragged edge
    /// tile costs what it holds and is written straight into C.</summary>
    static abstract void RunRows(int kc, float* a, float* b, float* c, nint ldc, bool overwrite, int rows, int cols);

    /// <summary>Whether <see cref="RunFinal"/> applies an epilogue in registers (else the driver applies it after).</summary>
    static virtual bool FusesEpilogue => false;

    /// <summary>As <see cref="RunRows"/> for the last depth block, applying <paramref name="epilogue"/> to each row
    /// (row r as row <paramref name="row0"/> + r) in registers before storing it.</summary>
    static virtual void RunFinal(int kc, float* a, float* b, float* c, nint ldc, bool overwrite, int rows, int cols, in ConvEpilogue epilogue, int row0) =>
        throw new NotSupportedException("this micro-kernel leaves the epilogue to the driver");
}
