using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>Resize (opset 10, 11+) and Upsample (opset 7–9) over the last two dimensions: nearest (all ONNX
/// rounding modes) and linear, with the half_pixel, pytorch_half_pixel, align_corners and asymmetric
/// coordinate transformations.</summary>
internal static class ResizeOps
{
    public static void Register()
    {
        OnnxOps.Register("Upsample", 7, node =>
        {
            var mode = Mode(node);
            float[]? scales = node.Floats("scales");
            return inputs => [Apply(inputs.Arg(0), scales ?? [.. CastOps.To(inputs.Arg(1), DType.Float32).ToArray()], null, mode, ResizeCoordinates.Asymmetric, ResizeNearestRounding.Floor)];
        });
        OnnxOps.Register("Resize", 10, node =>
        {
            var mode = Mode(node);
            return inputs => [Apply(inputs.Arg(0), CastOps.To(inputs.Arg(1), DType.Float32).ToArray(), null, mode, ResizeCoordinates.Asymmetric, ResizeNearestRounding.Floor)];
        });
        OnnxOps.Register("Resize", 11, node =>
        {
            var mode = Mode(node);
            var coordinates = node.String("coordinate_transformation_mode", "half_pixel") switch
            {
                "half_pixel" => ResizeCoordinates.HalfPixel,
                "pytorch_half_pixel" => ResizeCoordinates.PytorchHalfPixel,
                "align_corners" => ResizeCoordinates.AlignCorners,
                "asymmetric" => ResizeCoordinates.Asymmetric,
                var other => throw node.Unsupported($"coordinate_transformation_mode '{other}'"),
            };
            var rounding = node.String("nearest_mode", "round_prefer_floor") switch
            {
                "round_prefer_floor" => ResizeNearestRounding.RoundPreferFloor,
                "round_prefer_ceil" => ResizeNearestRounding.RoundPreferCeil,
                "floor" => ResizeNearestRounding.Floor,
                "ceil" => ResizeNearestRounding.Ceil,
                var other => throw node.Unsupported($"nearest_mode '{other}'"),
            };
            if (node.Int("exclude_outside", 0) != 0) throw node.Unsupported("exclude_outside=1");
            if (node.Int("antialias", 0) != 0) throw node.Unsupported("antialias=1");
            long[]? axes = node.Ints("axes");
            if (node.String("keep_aspect_ratio_policy", "stretch") != "stretch") throw node.Unsupported($"keep_aspect_ratio_policy '{node.String("keep_aspect_ratio_policy", "")}'");
            return inputs =>
            {
                var scales = inputs.Optional(2) is { Size: > 0 } s ? CastOps.To(s, DType.Float32).ToArray() : null;
                var sizes = inputs.Optional(3) is { Size: > 0 } z ? OpHelpers.Ints(z) : null;
                if (scales is null && sizes is null) throw new ArgumentException("Resize: neither scales nor sizes is given.");
                var x = inputs.Arg(0);
                if (axes is not null)
                {
                    // Scales/sizes name only the listed axes: the others keep scale 1 and their size.
                    var fullScales = scales is null ? null : Enumerable.Repeat(1f, x.Rank).ToArray();
                    var fullSizes = sizes is null ? null : x.Shape.ToArray();
                    for (int i = 0; i < axes.Length; i++)
                    {
                        int a = OpHelpers.Axis(axes[i], x.Rank, "Resize");
                        if (fullScales is not null) fullScales[a] = scales![i];
                        if (fullSizes is not null) fullSizes[a] = sizes![i];
                    }
                    (scales, sizes) = (fullScales, fullSizes);
                }
                return [Apply(x, scales, sizes, mode, coordinates, rounding)];
            };
        });
    }

    private static ResizeMode Mode(OnnxNode node) => node.String("mode", "nearest") switch
    {
        "nearest" => ResizeMode.Nearest,
        "linear" or "bilinear" => ResizeMode.Bilinear,
        var other => throw node.Unsupported($"mode '{other}'"),
    };

    private static Tensor Apply(Tensor x, float[]? scales, int[]? sizes, ResizeMode mode, ResizeCoordinates coordinates, ResizeNearestRounding rounding)
    {
        int rank = x.Rank;
        int count = scales?.Length ?? sizes!.Length;
        if (count != rank) throw new ArgumentException($"Resize: {count} scales/sizes for input {x.Shape}.");
        for (int d = 0; d < rank - 2; d++)
        {
            bool unchanged = scales is not null ? scales[d] == 1f : sizes![d] == x.Shape[d];
            if (!unchanged) throw new ArgumentException($"Resize: Lumen resizes only the last two dimensions; input {x.Shape} is also resized along dimension {d}.");
        }
        var y = x.DType == DType.Float32 ? x : CastOps.To(x, DType.Float32);
        y = sizes is not null
            ? y.Resize(sizes[^2], sizes[^1], mode, coordinates, rounding)
            : y.ResizeByScale(scales![^2], scales[^1], mode, coordinates, rounding);
        return x.DType == DType.Float32 ? y : CastOps.To(y, x.DType);
    }
}
