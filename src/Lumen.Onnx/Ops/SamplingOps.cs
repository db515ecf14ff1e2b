using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>
/// AffineGrid and GridSample over 2-D and 3-D inputs: sampling an image at normalised coordinates, with nearest,
/// linear and cubic interpolation and zeros, border or reflection padding. Both are composites of tensor ops, so
/// gradients reach the image (through a gather) and the grid (through the interpolation weights).
/// </summary>
/// <remarks>
/// A normalised coordinate g ∈ [−1, 1] maps to p = (g + 1)/2·(n − 1) with align_corners, else ((g + 1)·n − 1)/2.
/// Border padding clamps p to [0, n − 1]; reflection folds it into [0, n − 1] (align_corners) or [−0.5, n − 0.5].
/// With t = p − ⌊p⌋, linear reads ⌊p⌋ and ⌊p⌋+1 with weights 1 − t and t, cubic reads ⌊p⌋−1 … ⌊p⌋+2 with Keys'
/// weights (A = −0.75), nearest reads round-half-even(p); taps outside the image read 0 (zeros), the edge (border) or
/// their reflection. AffineGrid: grid = [x, y, (z,) 1]·θᵀ over the normalised output positions. See the ONNX
/// specifications and Jaderberg et al., "Spatial Transformer Networks", NeurIPS 2015.
/// </remarks>
internal static class SamplingOps
{
    private const double CubicA = -0.75;

    public static void Register()
    {
        OnnxOps.Register("GridSample", 16, node =>
        {
            string mode = node.String("mode", node.Opset >= 20 ? "linear" : "bilinear") switch
            {
                "bilinear" or "linear" => "linear",
                "bicubic" or "cubic" => "cubic",
                "nearest" => "nearest",
                var other => throw node.Unsupported($"mode '{other}'"),
            };
            string padding = node.String("padding_mode", "zeros");
            if (padding is not ("zeros" or "border" or "reflection")) throw node.Unsupported($"padding_mode '{padding}'");
            bool alignCorners = node.Int("align_corners", 0) != 0;
            return inputs => [Sample(inputs.Arg(0), inputs.Arg(1), mode, padding, alignCorners)];
        });
        OnnxOps.Register("AffineGrid", 20, node =>
        {
            bool alignCorners = node.Int("align_corners", 0) != 0;
            return inputs => [AffineGrid(inputs.Arg(0), OpHelpers.Ints(inputs.Arg(1)), alignCorners)];
        });
    }

    private static Tensor AffineGrid(Tensor theta, int[] size, bool alignCorners)
    {
        int spatial = size.Length - 2;
        if (spatial is not (2 or 3) || theta.Rank != 3 || theta.Shape[1] != spatial || theta.Shape[2] != spatial + 1)
            throw new ArgumentException($"AffineGrid: θ must be [N, {spatial}, {spatial + 1}] for size [{string.Join(", ", size)}], got {theta.Shape}.");
        var dims = size[2..];
        int positions = dims.Aggregate(1, (a, b) => a * b);
        var homogeneous = new float[positions * (spatial + 1)];
        for (int i = 0; i < positions; i++)
        {
            int rest = i;
            for (int d = spatial - 1; d >= 0; d--)
            {
                int n = dims[d], k = rest % n;
                rest /= n;
                double g = alignCorners ? (n == 1 ? 0 : -1 + 2.0 * k / (n - 1)) : -1 + (2.0 * k + 1) / n;
                homogeneous[i * (spatial + 1) + (spatial - 1 - d)] = (float)g; // x is the last dimension
            }
            homogeneous[i * (spatial + 1) + spatial] = 1f;
        }
        var basis = OpHelpers.FloatTensor(homogeneous, new Shape(positions, spatial + 1));
        var grid = basis.MatMul(theta.Permute(0, 2, 1)); // [N, positions, spatial]
        return grid.Reshape([theta.Shape[0], .. dims, spatial]);
    }

    private static Tensor Sample(Tensor x, Tensor grid, string mode, string padding, bool alignCorners)
    {
        int spatial = x.Rank - 2;
        if (spatial is not (2 or 3) || grid.Rank != x.Rank || grid.Shape[grid.Rank - 1] != spatial || grid.Shape[0] != x.Shape[0])
            throw new ArgumentException($"GridSample: X must be [N, C, (D,) H, W] and grid [N, (D',) H', W', {spatial}], got {x.Shape} and {grid.Shape}.");
        int batch = x.Shape[0], channels = x.Shape[1];
        var inputDims = x.Shape.ToArray()[2..];
        var outputDims = grid.Shape.ToArray()[1..^1];
        int outputs = outputDims.Aggregate(1, (a, b) => a * b), inputs = inputDims.Aggregate(1, (a, b) => a * b);
        var flatGrid = grid.Reshape(batch, outputs, spatial);

        // Per spatial dimension d (0 = depth/height … last = width): coordinate, anchor, taps and their weights.
        var taps = new List<(int[] Index, bool[] Inside, Tensor Weight)>[spatial];
        for (int d = 0; d < spatial; d++)
        {
            int n = inputDims[d];
            var g = flatGrid.Slice(2, spatial - 1 - d, spatial - d).Squeeze(2); // [N, outputs]
            var p = alignCorners ? (g + 1f) * (0.5f * (n - 1)) : ((g + 1f) * n - 1f) * 0.5f;
            var (low, high) = alignCorners ? (0.0, n - 1.0) : (-0.5, n - 0.5);
            if (padding == "border") p = p.Clamp(0f, n - 1);
            else if (padding == "reflection") p = Reflect(p, low, high).Clamp(0f, n - 1);
            var position = p.ToArray();
            taps[d] = [];
            if (mode == "nearest")
            {
                var index = position.Select(v => (int)Math.Round(v, MidpointRounding.ToEven)).ToArray();
                taps[d].Add(Tap(index, n, padding, low, high, p.OnesLike()));
                continue;
            }
            var floor = position.Select(v => Math.Floor(v)).ToArray();
            var t = p - OpHelpers.FloatTensor([.. floor.Select(v => (float)v)], p.Shape);
            var weights = mode == "linear" ? [1f - t, t] : CubicWeights(t);
            int first = mode == "linear" ? 0 : -1;
            for (int k = 0; k < weights.Length; k++)
                taps[d].Add(Tap([.. floor.Select(v => (int)v + first + k)], n, padding, low, high, weights[k]));
        }

        var flatX = x.Reshape(batch, channels, inputs);
        Tensor? y = null;
        foreach (var combination in Combinations(taps.Select(t => t.Count).ToArray()))
        {
            var index = new long[batch * outputs];
            var inside = new float[batch * outputs];
            Tensor weight = taps[0][combination[0]].Weight;
            for (int d = 1; d < spatial; d++) weight = weight * taps[d][combination[d]].Weight;
            for (int i = 0; i < index.Length; i++)
            {
                long flat = 0;
                bool ok = true;
                for (int d = 0; d < spatial; d++)
                {
                    var tap = taps[d][combination[d]];
                    flat = flat * inputDims[d] + tap.Index[i];
                    ok &= tap.Inside[i];
                }
                index[i] = ok ? flat : 0;
                inside[i] = ok ? 1f : 0f;
            }
            var gatherIndex = OpHelpers.LongTensor(index, new Shape(batch, 1, outputs)).BroadcastTo(new Shape(batch, channels, outputs));
            var values = flatX.Gather(2, CastOps.To(gatherIndex, DType.Int64));
            var term = values * (weight * OpHelpers.FloatTensor(inside, new Shape(batch, outputs))).Unsqueeze(1);
            y = y is null ? term : y + term;
        }
        return y!.Reshape([batch, channels, .. outputDims]);
    }

    // A tap's input indices (made valid by the padding mode) and whether they lie inside the image (zeros padding).
    private static (int[] Index, bool[] Inside, Tensor Weight) Tap(int[] index, int n, string padding, double low, double high, Tensor weight)
    {
        var inside = new bool[index.Length];
        var valid = new int[index.Length];
        for (int i = 0; i < index.Length; i++)
        {
            int k = index[i];
            if (padding == "reflection" && (k < 0 || k >= n)) k = (int)ReflectValue(k, low, high);
            inside[i] = padding != "zeros" || (k >= 0 && k < n);
            valid[i] = Math.Clamp(k, 0, n - 1);
        }
        return (valid, inside, weight);
    }

    private static Tensor[] CubicWeights(Tensor t)
    {
        var a = (float)CubicA;
        Tensor Near(Tensor d) => ((a + 2f) * d - (a + 3f)) * d * d + 1f;               // |d| ≤ 1
        Tensor Far(Tensor d) => ((a * d - 5f * a) * d + 8f * a) * d - 4f * a;         // 1 < |d| < 2
        return [Far(t + 1f), Near(t), Near(1f - t), Far(2f - t)];
    }

    // Folds p into [low, high] by reflection at both ends, as tensor ops (the fold count is a constant).
    private static Tensor Reflect(Tensor p, double low, double high)
    {
        double span = high - low;
        if (span <= 0) return p.ZerosLike() + (float)low;
        var u = (p - (float)low).Abs();
        var folds = u.ToArray().Select(v => Math.Floor(v / span)).ToArray();
        var r = u - OpHelpers.FloatTensor([.. folds.Select(f => (float)(f * span))], u.Shape);
        var even = OpHelpers.BoolTensor([.. folds.Select(f => f % 2 == 0)], u.Shape);
        return Tensor.Where(even, r + (float)low, (float)high - r);
    }

    private static double ReflectValue(double p, double low, double high)
    {
        double span = high - low;
        if (span <= 0) return low;
        double u = Math.Abs(p - low), folds = Math.Floor(u / span), r = u - folds * span;
        return folds % 2 == 0 ? low + r : high - r;
    }

    private static IEnumerable<int[]> Combinations(int[] counts)
    {
        var current = new int[counts.Length];
        while (true)
        {
            yield return (int[])current.Clone();
            int d = counts.Length - 1;
            while (d >= 0 && ++current[d] == counts[d]) current[d--] = 0;
            if (d < 0) yield break;
        }
    }
}
