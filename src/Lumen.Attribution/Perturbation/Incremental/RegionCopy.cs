using Lumen.Tensors;

namespace Lumen.Attribution.Perturbation.Incremental;

/// <summary>Copies rectangles of the last two axes between [N, C, H, W] tensors: the crops and pastes of
/// incremental evaluation.</summary>
internal static class RegionCopy
{
    /// <summary>Rows at most this long are copied element by element.</summary>
    private const int ShortRun = 4;

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
        var (from, to) = ((sourceRow, sourceTop, sourceLeft), (targetRow, targetTop, targetLeft));
        int chunks = (int)Math.Min(Math.Min(Parallelism.MaxDegree, channels), (long)channels * height * width / ParallelFloats);
        if (chunks <= 1) { CopyChannels(source, from, target, to, height, width, 0, channels); return; }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, k =>
            CopyChannels(source, from, target, to, height, width, channels * k / chunks, channels * (k + 1) / chunks));
    }

    /// <summary>Copies of at least this many floats per thread are split across threads by channel.</summary>
    private const int ParallelFloats = 1 << 16;

    private static void CopyChannels(Tensor source, (int Row, int Top, int Left) from, Tensor target, (int Row, int Top, int Left) to,
        int height, int width, int firstChannel, int endChannel)
    {
        int channels = source.Shape[1];
        int sh = source.Shape[2], sw = source.Shape[3], th = target.Shape[2], tw = target.Shape[3];
        var s = source.AsReadOnlySpan();
        var t = target.AsSpan();
        if (width == sw && width == tw)
        {
            // whole rows: one run of height·width values per channel
            for (int c = firstChannel; c < endChannel; c++)
                s.Slice(((from.Row * channels + c) * sh + from.Top) * sw, height * width)
                    .CopyTo(t.Slice(((to.Row * channels + c) * th + to.Top) * tw, height * width));
            return;
        }
        for (int c = firstChannel; c < endChannel; c++)
        {
            int sBase = ((from.Row * channels + c) * sh + from.Top) * sw + from.Left;
            int tBase = ((to.Row * channels + c) * th + to.Top) * tw + to.Left;
            if (width <= ShortRun)
            {
                // a call per run of a few values (the one-column sides of a crop) costs more than the copy
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++) t[tBase + y * tw + x] = s[sBase + y * sw + x];
                continue;
            }
            for (int y = 0; y < height; y++)
                s.Slice(sBase + y * sw, width).CopyTo(t.Slice(tBase + y * tw, width));
        }
    }

    /// <summary>Copies the part of <paramref name="source"/> that overlaps <paramref name="target"/> in image
    /// coordinates.</summary>
    public static void Overlay(Patch source, Patch target)
    {
        int top = Math.Max(source.ImageTop, target.ImageTop), left = Math.Max(source.ImageLeft, target.ImageLeft);
        int bottom = Math.Min(source.ImageTop + source.Height, target.ImageTop + target.Height);
        int right = Math.Min(source.ImageLeft + source.Width, target.ImageLeft + target.Width);
        Copy(source.Data, source.Row, source.Top + top - source.ImageTop, source.Left + left - source.ImageLeft,
            target.Data, target.Row, target.Top + top - target.ImageTop, target.Left + left - target.ImageLeft, bottom - top, right - left);
    }

    /// <summary><see cref="Overlay"/> except inside the image rectangle <paramref name="hole"/> (which the caller
    /// fills from elsewhere): the bands of the target above and below the hole and the parts left and right of it.</summary>
    public static void OverlayAround(Patch source, Patch target, Rect hole)
    {
        int top = target.ImageTop, bottom = top + target.Height, left = target.ImageLeft, right = left + target.Width;
        int holeTop = Math.Clamp(hole.Top, top, bottom), holeBottom = Math.Clamp(hole.Bottom, holeTop, bottom);
        int holeLeft = Math.Clamp(hole.Left, left, right), holeRight = Math.Clamp(hole.Right, holeLeft, right);
        Overlay(source, Part(target, top, left, holeTop - top, right - left));
        Overlay(source, Part(target, holeBottom, left, bottom - holeBottom, right - left));
        Overlay(source, Part(target, holeTop, left, holeBottom - holeTop, holeLeft - left));
        Overlay(source, Part(target, holeTop, holeRight, holeBottom - holeTop, right - holeRight));
    }

    /// <summary>The part of <paramref name="patch"/> at image position (top, left) of size height × width.</summary>
    private static Patch Part(Patch patch, int top, int left, int height, int width) => patch with
    {
        Top = patch.Top + top - patch.ImageTop, Left = patch.Left + left - patch.ImageLeft,
        Height = height, Width = width, ImageTop = top, ImageLeft = left,
    };
}
