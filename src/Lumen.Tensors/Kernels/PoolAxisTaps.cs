namespace Lumen.Tensors.Kernels;

/// <summary>
/// A sparse linear map along one axis, from an input of <see cref="InSize"/> positions to <see cref="OutSize"/>
/// outputs: output o = Σ_t Weight[t] · input[Index[t]] over t in [Offsets[o], Offsets[o + 1]). Average pooling,
/// adaptive pooling and nearest/bilinear resizing are all separable products of two such maps (rows, columns).
/// </summary>
internal sealed class PoolAxisTaps
{
    private PoolAxisTaps(int inSize, int[] offsets, int[] index, float[] weight)
    {
        InSize = inSize;
        Offsets = offsets;
        Index = index;
        Weight = weight;
    }

    /// <summary>Length of the input axis.</summary>
    public int InSize { get; }

    /// <summary>Length of the output axis.</summary>
    public int OutSize => Offsets.Length - 1;

    /// <summary>Start of each output's taps in <see cref="Index"/>/<see cref="Weight"/> (OutSize + 1 entries).</summary>
    public int[] Offsets { get; }

    /// <summary>Input position of each tap.</summary>
    public int[] Index { get; }

    /// <summary>Weight of each tap.</summary>
    public float[] Weight { get; }

    /// <summary>Builds the map from the taps of each output in turn.</summary>
    public static PoolAxisTaps Build(int inSize, int outSize, Func<int, IEnumerable<(int Index, double Weight)>> taps)
    {
        var offsets = new int[outSize + 1];
        var index = new List<int>();
        var weight = new List<float>();
        for (int o = 0; o < outSize; o++)
        {
            foreach (var (i, w) in taps(o))
            {
                index.Add(i);
                weight.Add((float)w);
            }
            offsets[o + 1] = index.Count;
        }
        return new PoolAxisTaps(inSize, offsets, [.. index], [.. weight]);
    }

    /// <summary>Average pooling along one axis with PyTorch's divisor: the window clipped to the padded input when
    /// <paramref name="countIncludePad"/>, else to the input itself.</summary>
    /// <remarks>start = o·stride − padBefore, end = min(start + kernel, size + padAfter); the taps are the positions of
    /// [max(start, 0), min(end, size)), each weighted 1 / divisor.</remarks>
    public static PoolAxisTaps Average(int inSize, int kernel, int stride, int padBefore, int padAfter, bool ceilMode, bool countIncludePad)
    {
        int outSize = PoolGeometry.OutSize(inSize, kernel, stride, padBefore, padAfter, 1, ceilMode);
        return Build(inSize, outSize, o =>
        {
            int start = o * stride - padBefore, end = Math.Min(start + kernel, inSize + padAfter);
            int lo = Math.Max(start, 0), hi = Math.Min(end, inSize);
            double divisor = countIncludePad ? end - start : hi - lo;
            return Enumerable.Range(lo, Math.Max(0, hi - lo)).Select(i => (i, 1.0 / divisor));
        });
    }

    /// <summary>Adaptive average pooling along one axis (PyTorch's bins): output o averages
    /// [⌊o·in/out⌋, ⌈(o + 1)·in/out⌉).</summary>
    public static PoolAxisTaps Adaptive(int inSize, int outSize) => Build(inSize, outSize, o =>
    {
        int lo = (int)((long)o * inSize / outSize);
        int hi = (int)(((long)(o + 1) * inSize + outSize - 1) / outSize);
        return Enumerable.Range(lo, hi - lo).Select(i => (i, 1.0 / (hi - lo)));
    });
}
