namespace Lumen.Tensors.Kernels;

/// <summary>
/// One Winograd minimal filtering algorithm F(m×m, 3×3) for <see cref="WinogradConvolution"/>: an m×m output tile
/// from an α×α input tile (α = m + 2) with α² multiplies instead of 9m², through Y = Aᵀ·[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A.
/// </summary>
/// <remarks>Lavin &amp; Gray, "Fast Algorithms for Convolutional Neural Networks", CVPR 2016
/// (https://arxiv.org/abs/1509.09308). The transforms run on <see cref="Lanes"/> tiles at once: each argument is a vector
/// whose lane t belongs to tile t, so the same code transforms 16 tiles in the lanes of Vector512 (<see cref="WinogradF4"/>,
/// <see cref="WinogradF2"/>) or 8 in those of Vector256 (<see cref="WinogradF4Avx2"/>, <see cref="WinogradF2Avx2"/>).</remarks>
internal unsafe interface IWinogradTile
{
    /// <summary>The output tile's side m.</summary>
    static abstract int M { get; }

    /// <summary>The input tile's side α = m + 2 (α² GEMMs, one per position of the transformed tile).</summary>
    static abstract int Alpha { get; }

    /// <summary>G (α×3), row by row, for the weight transform U = G·g·Gᵀ.</summary>
    static abstract double[] G { get; }

    /// <summary>The tiles transformed at once, one per vector lane (L: 16 or 8).</summary>
    static abstract int Lanes { get; }

    /// <summary>The GEMM kernel that multiplies U_ξ·V_ξ, in whose packed layout V is written (its panels are 2L
    /// tiles wide).</summary>
    static abstract GemmPath Path { get; }

    /// <summary>t = Bᵀ·d on one column of α vectors: d_r at <paramref name="source"/> + r·<paramref name="sourceStride"/>,
    /// t_i stored at <paramref name="target"/> + i·<paramref name="targetStride"/> (floats; L lanes each).</summary>
    static abstract void InputColumn(float* source, nint sourceStride, float* target, nint targetStride);

    /// <summary>o = Aᵀ·t on one column of α vectors, m stored (strides as in <see cref="InputColumn"/>).</summary>
    static abstract void OutputColumn(float* source, nint sourceStride, float* target, nint targetStride);

    /// <summary>The phases of L tiles side by side in one row: vector c (at <paramref name="target"/> +
    /// c·<paramref name="targetStride"/>, c &lt; α) gets row[m·t + c] in lane t; reads row[0, Lm + α − m + L).</summary>
    static abstract void Split(float* row, float* target, nint targetStride);

    /// <summary>The inverse for m phases: out[m·t + c] = phase c's lane t, Lm floats written to <paramref name="row"/>,
    /// each finished in registers by <paramref name="finish"/> as output channel <paramref name="channel"/> (its bias and
    /// activation, <see cref="ConvEpilogue.Finish"/>; none for the default epilogue).</summary>
    static abstract void Merge(float* source, nint sourceStride, float* row, in ConvEpilogue finish, int channel);

    /// <summary>Copies the first <paramref name="count"/> (&lt; Lm) floats of a merged row (<paramref name="merged"/>,
    /// Lm floats) to <paramref name="row"/>: the last, ragged group of tiles of an output row.</summary>
    static abstract void CopyTail(float* merged, float* row, int count);
}
