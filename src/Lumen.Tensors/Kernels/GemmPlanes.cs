namespace Lumen.Tensors.Kernels;

/// <summary>
/// A GEMM whose B and C are batches of planes laid side by side, so that one product serves every image of a
/// pointwise convolution: C_n[m, P] = A[m, k] · B_n[k, P] for n &lt; N, run as C'[m, N·P] = A · B'[k, N·P] with column
/// j of B' and C' being position j % P of image j / P. B' is packed straight from the [N, k, P] input
/// (<see cref="GemmPacking.PackBPlanes"/>) and each register tile of C' written straight into the [N, m, P] output:
/// in place when its columns lie in one image, else through the driver's scratch tile, piece by piece
/// (<see cref="Column"/>). The driver's row stride of B and of C is P (rows are channels of one image).
/// </summary>
/// <remarks>Inactive (<see cref="Plane"/> = 0) by default: the driver then reads B and writes C as plain matrices.
/// Every element's sum is the one of the per-image product: same depth blocks, same micro-kernel steps, and a tile
/// computed into scratch adds its block sum to C as an in-place tile does.</remarks>
internal readonly unsafe struct GemmPlanes(int plane, nint imageStrideB, nint imageStrideC, int firstCol)
{
    /// <summary>Positions per image (P), or 0 when B and C are plain matrices.</summary>
    public int Plane { get; } = plane;

    /// <summary>Floats from one image of B to the next (k·P for a dense [N, k, P] input).</summary>
    public nint ImageStrideB { get; } = imageStrideB;

    /// <summary>Floats from one image of C to the next (m·P for a dense [N, m, P] output).</summary>
    public nint ImageStrideC { get; } = imageStrideC;

    /// <summary>The column of the whole product C' that the driver call's column 0 is (threads split the columns).</summary>
    public int FirstCol { get; } = firstCol;

    public bool IsActive => Plane != 0;

    /// <summary>C' column <paramref name="j"/> of the call (counted from <see cref="FirstCol"/>) in C, at row 0 of the
    /// call: image·ImageStrideC + position floats from C's start; and how many columns from there stay in that image.</summary>
    public (nint Offset, int Remaining) Column(int j)
    {
        int column = FirstCol + j, image = column / Plane, position = column - image * Plane;
        return (image * ImageStrideC + position, Plane - position);
    }
}
