using Lumen.Onnx.Graph;

namespace Lumen.Onnx.Ops;

/// <summary>
/// The spatial attributes shared by Conv, ConvTranspose and the pools (kernel_shape, strides, dilations, pads,
/// auto_pad), resolved for 1-D and 2-D windows. Pads are returned as (top, left, bottom, right); a 1-D window is
/// treated as 2-D with height 1.
/// </summary>
internal sealed class ConvAttributes
{
    private readonly long[]? pads;

    /// <summary>Reads the attributes, refusing windows of more than <paramref name="maxRank"/> spatial axes.</summary>
    public ConvAttributes(OnnxNode node, int maxRank = 2)
    {
        Node = node;
        AutoPad = node.String("auto_pad", "NOTSET");
        if (AutoPad is not ("NOTSET" or "VALID" or "SAME_UPPER" or "SAME_LOWER")) throw node.Unsupported($"auto_pad '{AutoPad}'");
        Kernel = node.Ints("kernel_shape");
        Strides = node.Ints("strides");
        Dilations = node.Ints("dilations");
        pads = node.Ints("pads");
        int? rank = Kernel?.Length ?? Strides?.Length ?? Dilations?.Length ?? (pads is null ? null : pads.Length / 2);
        if (rank > maxRank) throw node.Unsupported(maxRank == 2 ? $"{rank}-D window (Lumen runs 1-D and 2-D)" : $"{rank}-D window (Lumen runs up to {maxRank}-D)");
    }

    public OnnxNode Node { get; }

    public string AutoPad { get; }

    public long[]? Kernel { get; }

    public long[]? Strides { get; }

    public long[]? Dilations { get; }

    /// <summary>Explicit begin and end pads of every spatial axis for input sizes <paramref name="input"/>, honouring
    /// auto_pad (any spatial rank).</summary>
    public (int[] Begin, int[] End) PadsNd(int[] input, int[] kernel, int[] stride, int[] dilation)
    {
        int n = input.Length;
        var (begin, end) = (new int[n], new int[n]);
        for (int d = 0; d < n; d++)
        {
            if (AutoPad is "SAME_UPPER" or "SAME_LOWER") (begin[d], end[d]) = Same(input[d], kernel[d], stride[d], dilation[d], AutoPad == "SAME_UPPER");
            else if (AutoPad == "NOTSET" && pads is not null) (begin[d], end[d]) = ((int)pads[d], (int)pads[d + n]);
        }
        return (begin, end);
    }

    /// <summary>Spatial rank of an input tensor [N, C, …], checked to be 1 or 2.</summary>
    public int SpatialRank(int inputRank)
    {
        int r = inputRank - 2;
        if (r is < 1 or > 2) throw new ArgumentException($"{Node.OpType}: Lumen runs 1-D and 2-D inputs [N, C, (H,) W], got rank {inputRank}.");
        return r;
    }

    /// <summary>(h, w) pair from a per-axis list, defaulting to <paramref name="fallback"/>; 1-D lists get h = fallback-neutral 1.</summary>
    public static (int H, int W) Pair(long[]? values, int spatial, int fallback, int neutral = 1) => values switch
    {
        null => spatial == 1 ? (neutral, fallback) : (fallback, fallback),
        { Length: 1 } => (neutral, (int)values[0]),
        _ => ((int)values[0], (int)values[1]),
    };

    /// <summary>A per-axis list of <paramref name="rank"/> spatial axes as ints, <paramref name="fallback"/> on every axis when absent.</summary>
    public static int[] PerAxis(long[]? values, int rank, int fallback) =>
        values is null ? [.. Enumerable.Repeat(fallback, rank)] : OpHelpers.Ints(values);

    /// <summary>Explicit pads (top, left, bottom, right) for input spatial size (h, w), honouring auto_pad.</summary>
    public (int Top, int Left, int Bottom, int Right) Pads(int spatial, (int H, int W) input, (int H, int W) kernel, (int H, int W) stride, (int H, int W) dilation)
    {
        if (AutoPad is "SAME_UPPER" or "SAME_LOWER")
        {
            var (top, bottom) = Same(input.H, kernel.H, stride.H, dilation.H, AutoPad == "SAME_UPPER");
            var (left, right) = Same(input.W, kernel.W, stride.W, dilation.W, AutoPad == "SAME_UPPER");
            return (top, left, bottom, right);
        }
        if (AutoPad == "VALID" || pads is null) return (0, 0, 0, 0);
        return spatial == 1 ? (0, (int)pads[0], 0, (int)pads[1]) : ((int)pads[0], (int)pads[1], (int)pads[2], (int)pads[3]);
    }

    private static (int Begin, int End) Same(int size, int kernel, int stride, int dilation, bool upper)
    {
        int output = (size + stride - 1) / stride;
        int total = Math.Max(0, (output - 1) * stride + (kernel - 1) * dilation + 1 - size);
        int small = total / 2, large = total - small;
        return upper ? (small, large) : (large, small);
    }
}
