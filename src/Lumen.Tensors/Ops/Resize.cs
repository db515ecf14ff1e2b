using Lumen.Tensors.Kernels;

namespace Lumen.Tensors;

/// <summary>Spatial resizing of the last two dimensions (nearest and bilinear, ONNX coordinate conventions).</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// Resizes the last two dimensions of this tensor ([…, H, W], e.g. [N, C, H, W]) to
    /// [<paramref name="height"/>, <paramref name="width"/>], with scale out/in per axis.
    /// </summary>
    /// <remarks>Each output coordinate maps to a source coordinate by <paramref name="coordinates"/> (ONNX
    /// coordinate_transformation_mode). Nearest reads the input at the source rounded by <paramref name="rounding"/>;
    /// bilinear mixes the two neighbours on each axis by the fractional part, clamping the source to the axis.
    /// Both are linear maps, so the gradient is their transpose (bilinear scatter-adds). PyTorch equivalents:
    /// <c>interpolate(mode="bilinear", align_corners=False)</c> = Bilinear + HalfPixel (PytorchHalfPixel for size 1);
    /// <c>mode="nearest"</c> = Nearest + Asymmetric + Floor.</remarks>
    /// <example><code>var up = x.Resize(224, 224); // bilinear, half-pixel centres</code></example>
    public Tensor Resize(int height, int width, ResizeMode mode = ResizeMode.Bilinear, ResizeCoordinates coordinates = ResizeCoordinates.HalfPixel,
        ResizeNearestRounding rounding = ResizeNearestRounding.RoundPreferFloor)
    {
        RequireResizable("Resize");
        if (height < 1 || width < 1) throw new ArgumentOutOfRangeException(nameof(height), $"Resize: output size ({height}, {width}) must be positive (input {Shape}).");
        return ResizeCore(height, width, (double)height / Shape[-2], (double)width / Shape[-1], mode, coordinates, rounding);
    }

    /// <summary>
    /// Resizes the last two dimensions by scale factors: the output is [⌊H·scaleH⌋, ⌊W·scaleW⌋] and the coordinate
    /// transformation uses the given scales (ONNX Resize with <c>scales</c>).
    /// </summary>
    /// <example><code>var up = x.ResizeByScale(2f, 2f, ResizeMode.Nearest, ResizeCoordinates.Asymmetric, ResizeNearestRounding.Floor);</code></example>
    public Tensor ResizeByScale(float scaleH, float scaleW, ResizeMode mode = ResizeMode.Bilinear, ResizeCoordinates coordinates = ResizeCoordinates.HalfPixel,
        ResizeNearestRounding rounding = ResizeNearestRounding.RoundPreferFloor)
    {
        RequireResizable("ResizeByScale");
        if (!(scaleH > 0) || !(scaleW > 0) || float.IsInfinity(scaleH) || float.IsInfinity(scaleW))
            throw new ArgumentOutOfRangeException(nameof(scaleH), $"ResizeByScale: scales ({scaleH}, {scaleW}) must be positive and finite (input {Shape}).");
        int height = (int)Math.Floor(Shape[-2] * (double)scaleH), width = (int)Math.Floor(Shape[-1] * (double)scaleW);
        if (height < 1 || width < 1) throw new ArgumentException($"ResizeByScale: scales ({scaleH}, {scaleW}) shrink input {Shape} to an empty output ({height}×{width}).");
        return ResizeCore(height, width, scaleH, scaleW, mode, coordinates, rounding);
    }

    private Tensor ResizeCore(int height, int width, double scaleH, double scaleW, ResizeMode mode, ResizeCoordinates coordinates, ResizeNearestRounding rounding)
    {
        int h = Shape[-2], w = Shape[-1];
        var (rows, cols) = mode == ResizeMode.Nearest
            ? (ResizeTaps.Nearest(h, height, scaleH, coordinates, rounding), ResizeTaps.Nearest(w, width, scaleW, coordinates, rounding))
            : (ResizeTaps.Linear(h, height, scaleH, coordinates), ResizeTaps.Linear(w, width, scaleW, coordinates));
        return SeparableMap("Resize", rows, cols);
    }

    private void RequireResizable(string op)
    {
        RequireFloat(op);
        if (Rank < 2) throw new ArgumentException($"{op}: input must have at least two dimensions […, H, W], got {Shape}.");
        if (Shape[-2] == 0 || Shape[-1] == 0) throw new ArgumentException($"{op}: input {Shape} has an empty spatial dimension.");
    }
}
