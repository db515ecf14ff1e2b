using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>Upsample (opset 7–9) and Resize opset 10 over the last two dimensions (nearest and linear, asymmetric);
/// Resize opset 11+ over any axes with every mode and coordinate transformation (<see cref="SeparableResize"/>).</summary>
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
            string mode = node.String("mode", "nearest");
            if (mode is not ("nearest" or "linear" or "cubic")) throw node.Unsupported($"mode '{mode}'");
            string coordinates = node.String("coordinate_transformation_mode", "half_pixel");
            if (coordinates is not ("half_pixel" or "half_pixel_symmetric" or "pytorch_half_pixel" or "align_corners" or "asymmetric" or "tf_crop_and_resize"))
                throw node.Unsupported($"coordinate_transformation_mode '{coordinates}'");
            string nearest = node.String("nearest_mode", "round_prefer_floor");
            if (nearest is not ("round_prefer_floor" or "round_prefer_ceil" or "floor" or "ceil")) throw node.Unsupported($"nearest_mode '{nearest}'");
            string policy = node.String("keep_aspect_ratio_policy", "stretch");
            if (policy is not ("stretch" or "not_larger" or "not_smaller")) throw node.Unsupported($"keep_aspect_ratio_policy '{policy}'");
            var resize = new SeparableResize(mode, coordinates, nearest, node.Float("cubic_coeff_a", -0.75f),
                node.Int("exclude_outside", 0) != 0, node.Int("antialias", 0) != 0, node.Float("extrapolation_value", 0f));
            long[]? axesAttribute = node.Ints("axes");
            return inputs =>
            {
                var x = inputs.Arg(0);
                var axes = axesAttribute is null ? Enumerable.Range(0, x.Rank).ToArray() : [.. axesAttribute.Select(a => OpHelpers.Axis(a, x.Rank, "Resize"))];
                var given = inputs.Optional(2) is { Size: > 0 } sc ? CastOps.To(sc, DType.Float32).ToArray() : null;
                var sizes = inputs.Optional(3) is { Size: > 0 } sz ? OpHelpers.Ints(sz) : null;
                if (given is null && sizes is null) throw new ArgumentException("Resize: neither scales nor sizes is given.");
                int count = given?.Length ?? sizes!.Length;
                if (count != axes.Length) throw new ArgumentException($"Resize: {count} scales/sizes for {axes.Length} axes of input {x.Shape}.");
                var outputSizes = x.Shape.ToArray();
                var scales = Enumerable.Repeat(1.0, x.Rank).ToArray();
                if (sizes is not null && policy != "stretch")
                {
                    // One scale for every listed axis, the largest that fits (not_larger) or covers (not_smaller).
                    var ratios = axes.Select((a, i) => sizes[i] / (double)x.Shape[a]);
                    double common = policy == "not_larger" ? ratios.Min() : ratios.Max();
                    foreach (var a in axes) { scales[a] = common; outputSizes[a] = (int)Math.Floor(common * x.Shape[a] + 0.5); }
                }
                else
                {
                    for (int i = 0; i < axes.Length; i++)
                    {
                        int a = axes[i];
                        if (sizes is not null) { outputSizes[a] = sizes[i]; scales[a] = sizes[i] / (double)x.Shape[a]; }
                        else { scales[a] = given![i]; outputSizes[a] = (int)Math.Floor(x.Shape[a] * (double)given[i]); }
                    }
                }
                double[]? roi = null;
                if (coordinates == "tf_crop_and_resize")
                {
                    var values = inputs.Optional(1) is { Size: > 0 } r ? CastOps.To(r, DType.Float32).ToArray() : throw new ArgumentException("Resize: tf_crop_and_resize needs the roi input.");
                    if (values.Length != 2 * axes.Length) throw new ArgumentException($"Resize: roi has {values.Length} values for {axes.Length} axes.");
                    roi = new double[2 * x.Rank];
                    for (int a = 0; a < x.Rank; a++) { roi[a] = 0; roi[a + x.Rank] = 1; }
                    for (int i = 0; i < axes.Length; i++) { roi[axes[i]] = values[i]; roi[axes[i] + x.Rank] = values[i + axes.Length]; }
                }
                return [resize.Apply(x, outputSizes, scales, roi)];
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
