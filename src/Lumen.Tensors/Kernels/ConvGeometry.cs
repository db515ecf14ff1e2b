namespace Lumen.Tensors.Kernels;

/// <summary>
/// The sizes of one grouped, strided, padded, dilated 2-D convolution of an input [N, C, H, W] with a weight
/// [O, C/groups, kh, kw] into an output [N, O, OH, OW]. Transposed convolution reuses it with the roles of input
/// and output swapped.
/// </summary>
/// <remarks>OH = ⌊(H + padTop + padBottom − dh·(kh − 1) − 1) / sh⌋ + 1, and likewise OW.</remarks>
internal readonly record struct ConvGeometry(
    int Batch, int InChannels, int InHeight, int InWidth,
    int OutChannels, int KernelHeight, int KernelWidth,
    int StrideH, int StrideW, int PadTop, int PadLeft, int PadBottom, int PadRight,
    int DilationH, int DilationW, int Groups)
{
    /// <summary>Output rows.</summary>
    public int OutHeight => (InHeight + PadTop + PadBottom - DilationH * (KernelHeight - 1) - 1) / StrideH + 1;

    /// <summary>Output columns.</summary>
    public int OutWidth => (InWidth + PadLeft + PadRight - DilationW * (KernelWidth - 1) - 1) / StrideW + 1;

    /// <summary>Input channels in one group.</summary>
    public int InPerGroup => InChannels / Groups;

    /// <summary>Output channels in one group.</summary>
    public int OutPerGroup => OutChannels / Groups;

    /// <summary>Rows of the im2col matrix of one group: C/groups · kh · kw (the GEMM inner dimension).</summary>
    public int ColumnRows => InPerGroup * KernelHeight * KernelWidth;

    /// <summary>Elements of one input channel plane.</summary>
    public int InPlane => InHeight * InWidth;

    /// <summary>Elements of one output channel plane.</summary>
    public int OutPlane => OutHeight * OutWidth;

    /// <summary>One filter per channel: groups == C == O.</summary>
    public bool IsDepthwise => Groups == InChannels && OutChannels == InChannels;

    /// <summary>A 1×1, stride-1, unpadded convolution: the input plane already is the im2col matrix.</summary>
    public bool IsPointwise => KernelHeight == 1 && KernelWidth == 1 && StrideH == 1 && StrideW == 1
        && PadTop == 0 && PadLeft == 0 && PadBottom == 0 && PadRight == 0;

    /// <summary>Multiply-adds of the forward pass (the GEMM work): N·O·OH·OW·(C/groups)·kh·kw.</summary>
    public long MultiplyAdds => (long)Batch * OutChannels * OutPlane * ColumnRows;

    /// <summary>The range [lo, hi) of output positions o whose tap t reads an input position
    /// o·stride − pad + t·dilation inside [0, size).</summary>
    public static (int Lo, int Hi) ValidRange(int outSize, int inSize, int stride, int pad, int offset)
    {
        // o·stride ≥ pad − offset  and  o·stride ≤ inSize − 1 + pad − offset
        int lo = CeilDiv(pad - offset, stride);
        int hi = FloorDiv(inSize - 1 + pad - offset, stride) + 1;
        return (Math.Clamp(lo, 0, outSize), Math.Clamp(hi, 0, outSize));
    }

    private static int CeilDiv(int a, int b) => -FloorDiv(-a, b);

    private static int FloorDiv(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);
}
