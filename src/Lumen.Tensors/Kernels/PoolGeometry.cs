namespace Lumen.Tensors.Kernels;

/// <summary>
/// The sizes of a 2-D sliding-window pooling over the last two dimensions of a tensor viewed as
/// [planes, H, W]: window kh×kw with dilation, stride, asymmetric padding and PyTorch's ceil mode.
/// </summary>
/// <remarks>OH = ⌊(H + top + bottom − dh·(kh − 1) − 1 + (ceil ? sh − 1 : 0)) / sh⌋ + 1, minus one in ceil mode when the
/// last window would start past the input and its top padding (PyTorch's rule).</remarks>
internal readonly record struct PoolGeometry(
    int Planes, int InHeight, int InWidth, int KernelHeight, int KernelWidth, int StrideH, int StrideW,
    int PadTop, int PadLeft, int PadBottom, int PadRight, int DilationH, int DilationW, bool CeilMode)
{
    /// <summary>Output rows.</summary>
    public int OutHeight => OutSize(InHeight, KernelHeight, StrideH, PadTop, PadBottom, DilationH, CeilMode);

    /// <summary>Output columns.</summary>
    public int OutWidth => OutSize(InWidth, KernelWidth, StrideW, PadLeft, PadRight, DilationW, CeilMode);

    /// <summary>Number of windows along one axis (the span must fit: size + pads ≥ dilated kernel).</summary>
    public static int OutSize(int size, int kernel, int stride, int padBefore, int padAfter, int dilation, bool ceilMode)
    {
        int span = size + padBefore + padAfter - dilation * (kernel - 1) - 1;
        int count = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceilMode && (count - 1) * stride >= size + padBefore) count--;
        return count;
    }
}
