using Lumen.Tensors;

namespace Lumen.Attribution.Perturbation.Incremental;

/// <summary>Copies rectangles of the last two axes between [N, C, H, W] tensors: the crops and pastes of
/// incremental evaluation.</summary>
internal static class RegionCopy
{
    /// <summary>Copies the (height × width) rectangle at (sourceTop, sourceLeft) of row <paramref name="sourceRow"/>
    /// of <paramref name="source"/> to (targetTop, targetLeft) of row <paramref name="targetRow"/> of
    /// <paramref name="target"/>, for every channel; both tensors have the same channel count.</summary>
    public static void Copy(Tensor source, int sourceRow, int sourceTop, int sourceLeft,
        Tensor target, int targetRow, int targetTop, int targetLeft, int height, int width)
    {
        if (height <= 0 || width <= 0) return;
        int channels = source.Shape[1];
        if (target.Shape[1] != channels)
            throw new InvalidOperationException($"Incremental evaluation: channel counts differ ({source.Shape} and {target.Shape}).");
        int sh = source.Shape[2], sw = source.Shape[3], th = target.Shape[2], tw = target.Shape[3];
        var s = source.AsSpan();
        var t = target.AsSpan();
        for (int c = 0; c < channels; c++)
        {
            int sBase = ((sourceRow * channels + c) * sh + sourceTop) * sw + sourceLeft;
            int tBase = ((targetRow * channels + c) * th + targetTop) * tw + targetLeft;
            for (int y = 0; y < height; y++)
                s.Slice(sBase + y * sw, width).CopyTo(t.Slice(tBase + y * tw, width));
        }
    }

    /// <summary>Copies the part of a rectangle of <paramref name="source"/> row <paramref name="sourceRow"/> placed
    /// at image coordinates (sourceTop, sourceLeft) that overlaps the window (targetTop, targetLeft, target size) of
    /// <paramref name="target"/> row <paramref name="targetRow"/>, in the same image coordinates.</summary>
    public static void Overlay(Tensor source, int sourceRow, int sourceTop, int sourceLeft,
        Tensor target, int targetRow, int targetTop, int targetLeft)
    {
        int top = Math.Max(sourceTop, targetTop), left = Math.Max(sourceLeft, targetLeft);
        int bottom = Math.Min(sourceTop + source.Shape[2], targetTop + target.Shape[2]);
        int right = Math.Min(sourceLeft + source.Shape[3], targetLeft + target.Shape[3]);
        Copy(source, sourceRow, top - sourceTop, left - sourceLeft, target, targetRow, top - targetTop, left - targetLeft, bottom - top, right - left);
    }

    /// <summary><paramref name="rows"/> copies of row 0 of <paramref name="value"/> [1, …].</summary>
    public static Tensor Repeat(Tensor value, int rows)
    {
        var shape = value.Shape.ToArray();
        shape[0] = rows;
        var result = Tensor.Zeros(shape);
        var source = value.AsSpan();
        var target = result.AsSpan();
        for (int r = 0; r < rows; r++) source.CopyTo(target.Slice(r * source.Length, source.Length));
        return result;
    }
}
