using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>
/// ONNX Resize (opset 11+) over any set of axes as a product of one interpolation matrix per resized axis:
/// y = x ×_d W_d for each axis d, where row o of W_d [out_d, in_d] holds the weights that output position o gives the
/// input positions. Every mode (nearest, linear, cubic), coordinate transformation, antialiasing, exclude_outside,
/// keep_aspect_ratio_policy and tf_crop_and_resize extrapolation is a property of the matrices, so the whole op is a
/// chain of matrix products and its gradient comes from MatMul.
/// </summary>
/// <remarks>
/// Output position o maps to the input coordinate p(o) of the coordinate transformation (e.g. half_pixel:
/// (o + 0.5)/s − 0.5). Nearest takes input ⌊p⌉ under the nearest_mode rounding. Linear and cubic use the kernel
/// k(d) (1 − |d| and Keys' cubic with coefficient A) at the distances d = i − r from the anchor a (r = p − a in
/// (0, 1]) to its neighbours a + i; with antialias and a downscale s &lt; 1 the kernel widens to k(s·d) over ⌈R/s⌉
/// neighbours each side and is normalised. Neighbours outside the input take the edge value, or are dropped and the
/// weights renormalised with exclude_outside. See the ONNX Resize specification and Keys, "Cubic convolution
/// interpolation for digital image processing", IEEE TASSP 1981.
/// </remarks>
internal sealed record SeparableResize(
    string Mode, string Coordinates, string NearestMode, float CubicA, bool ExcludeOutside, bool Antialias, float Extrapolation)
{
    /// <summary>Resizes <paramref name="x"/> to <paramref name="outputSizes"/> using per-axis <paramref name="scales"/>;
    /// <paramref name="roi"/> (start and end per axis, normalised) is used by tf_crop_and_resize only.</summary>
    public Tensor Apply(Tensor x, int[] outputSizes, double[] scales, double[]? roi)
    {
        var y = x.DType == DType.Float32 ? x : Ops.CastOps.To(x, DType.Float32);
        bool crop = Coordinates == "tf_crop_and_resize";
        Tensor? inside = null;
        for (int d = 0; d < x.Rank; d++)
        {
            int input = x.Shape[d], output = outputSizes[d];
            bool trivial = !crop && output == input && scales[d] == 1.0;
            if (trivial) continue;
            var (weights, valid) = Matrix(input, output, scales[d], roi is null ? 0 : roi[d], roi is null ? 1 : roi[d + x.Rank]);
            y = AlongAxis(y, d, OpHelpers.FloatTensor(weights, new Shape(input, output)));
            if (crop && valid.Any(v => !v))
            {
                var dims = Enumerable.Repeat(1, x.Rank).ToArray();
                dims[d] = output;
                var mask = OpHelpers.FloatTensor([.. valid.Select(v => v ? 1f : 0f)], new Shape(dims));
                inside = inside is null ? mask : inside * mask;
            }
        }
        if (inside is not null) y = y * inside + (1f - inside) * Extrapolation;
        return x.DType == DType.Float32 ? y : Ops.CastOps.To(y, x.DType);
    }

    // y ×_d W: move axis d last, multiply by W [in, out], move it back.
    private static Tensor AlongAxis(Tensor y, int d, Tensor weights)
    {
        int rank = y.Rank;
        if (d == rank - 1) return y.MatMul(weights);
        var order = Enumerable.Range(0, rank).Where(a => a != d).Append(d).ToArray();
        var inverse = new int[rank];
        for (int i = 0; i < rank; i++) inverse[order[i]] = i;
        return y.Permute(order).MatMul(weights).Permute(inverse);
    }

    // The transposed interpolation matrix [in, out] of one axis and, per output position, whether it lies inside the
    // input (tf_crop_and_resize extrapolates outside).
    private (float[] Weights, bool[] Valid) Matrix(int input, int output, double scale, double roiStart, double roiEnd)
    {
        var weights = new float[input * output];
        var valid = new bool[output];
        for (int o = 0; o < output; o++)
        {
            double p = Coordinate(o, input, output, scale, roiStart, roiEnd);
            valid[o] = !(p < 0 || p > input - 1);
            if (Mode == "nearest")
            {
                weights[Math.Clamp(Nearest(p), 0, input - 1) * output + o] = 1f;
                continue;
            }
            double anchor = p == Math.Floor(p) ? p - 1 : Math.Floor(p);
            double ratio = p - anchor;
            double radius = Mode == "cubic" ? 2 : 1;
            double s = Antialias && scale < 1 ? scale : 1;
            int start = Antialias && scale < 1 ? (int)Math.Floor(-radius / s) + 1 : 1 - (int)radius;
            int count = 2 - 2 * start;
            var coefficients = new double[count];
            var indices = new int[count];
            double sum = 0;
            for (int k = 0; k < count; k++)
            {
                int i = start + k;
                indices[k] = (int)anchor + i;
                coefficients[k] = Kernel((i - ratio) * s);
                if (ExcludeOutside && (indices[k] < 0 || indices[k] >= input)) coefficients[k] = 0;
                sum += coefficients[k];
            }
            bool normalise = ExcludeOutside || (Antialias && scale < 1);
            for (int k = 0; k < count; k++)
                weights[Math.Clamp(indices[k], 0, input - 1) * output + o] += (float)(normalise && sum != 0 ? coefficients[k] / sum : coefficients[k]);
        }
        return (weights, valid);
    }

    private double Kernel(double d)
    {
        d = Math.Abs(d);
        if (Mode != "cubic") return Math.Max(0, 1 - d);
        double a = CubicA;
        if (d <= 1) return ((a + 2) * d - (a + 3)) * d * d + 1;
        if (d < 2) return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
        return 0;
    }

    private int Nearest(double p)
    {
        double floor = Math.Floor(p);
        bool half = p - floor == 0.5;
        return NearestMode switch
        {
            "floor" => (int)floor,
            "ceil" => (int)Math.Ceiling(p),
            "round_prefer_ceil" => half ? (int)floor + 1 : (int)Math.Round(p, MidpointRounding.AwayFromZero),
            _ => half ? (int)floor : (int)Math.Round(p, MidpointRounding.AwayFromZero),
        };
    }

    // As in the ONNX reference, the resized length is scale·input (not the rounded output size).
    private double Coordinate(int o, int input, int outputSize, double scale, double roiStart, double roiEnd) => (input * scale) switch
    {
        var output => Coordinates switch
        {
            "asymmetric" => o / scale,
            "align_corners" => output == 1 ? 0 : o * (input - 1) / (output - 1),
            "pytorch_half_pixel" => output > 1 ? (o + 0.5) / scale - 0.5 : 0,
            "half_pixel_symmetric" => input / 2.0 * (1 - outputSize / output) + (o + 0.5) / scale - 0.5,
            "tf_crop_and_resize" => output > 1
                ? roiStart * (input - 1) + o * (roiEnd - roiStart) * (input - 1) / (output - 1)
                : 0.5 * (roiStart + roiEnd) * (input - 1),
            _ => (o + 0.5) / scale - 0.5,
        },
    };
}
