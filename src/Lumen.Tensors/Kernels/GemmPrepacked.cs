namespace Lumen.Tensors.Kernels;

/// <summary>
/// The operands of one <see cref="GemmDriver{TKernel}"/> call that are given already packed, whole, instead of
/// being packed block by block: A as <see cref="GemmPackedA"/> lays it out, B as <see cref="Gemm.MultiplyPackedB"/>
/// takes it. The call computes the sub-block of C from row <see cref="FirstRow"/> and column <see cref="FirstCol"/>
/// of the whole product (multiples of MR and NR, where threads split C).
/// </summary>
/// <remarks>Depth block [pc, pc + kc) of packed A starts at pc·<see cref="PaddedRows"/>, with the MR-row panel of
/// rows [r, r + MR) at r·kc within it; likewise B, pc·<see cref="PaddedCols"/> and the NR-column panel of columns
/// [j, j + NR) at j·kc.</remarks>
internal readonly unsafe struct GemmPrepacked(float* a, nint paddedRows, int firstRow, float* b, nint paddedCols, int firstCol)
{
    /// <summary>Packed A, or null when the driver packs A itself.</summary>
    public float* A { get; } = a;

    /// <summary>Rows of the whole packed A rounded up to MR: its floats per depth step.</summary>
    public nint PaddedRows { get; } = paddedRows;

    /// <summary>The row of the whole product that the call's row 0 is.</summary>
    public int FirstRow { get; } = firstRow;

    /// <summary>Packed B, or null when the driver packs B itself.</summary>
    public float* B { get; } = b;

    /// <summary>Columns of the whole packed B rounded up to NR: its floats per depth step.</summary>
    public nint PaddedCols { get; } = paddedCols;

    /// <summary>The column of the whole product that the call's column 0 is.</summary>
    public int FirstCol { get; } = firstCol;

    /// <summary>The packed A block of depth block <paramref name="pc"/> (depth <paramref name="kc"/>) from the call's row <paramref name="ic"/> on.</summary>
    public float* BlockA(int pc, int ic, int kc) => A + pc * PaddedRows + (nint)(FirstRow + ic) * kc;

    /// <summary>The packed B block of depth block <paramref name="pc"/> (depth <paramref name="kc"/>) from the call's column <paramref name="jc"/> on.</summary>
    public float* BlockB(int pc, int jc, int kc) => B + pc * PaddedCols + (nint)(FirstCol + jc) * kc;
}
