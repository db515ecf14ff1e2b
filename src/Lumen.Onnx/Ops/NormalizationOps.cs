using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>Normalisations as composites: BatchNormalization (inference and training mode), InstanceNormalization,
/// LayerNormalization, GroupNormalization, LpNormalization, MeanVarianceNormalization, LRN.</summary>
internal static class NormalizationOps
{
    public static void Register()
    {
        OnnxOps.Register("BatchNormalization", 7, node =>
        {
            float eps = node.Float("epsilon", 1e-5f), momentum = node.Float("momentum", 0.9f);
            bool training = node.Int("training_mode", 0) != 0;
            return inputs =>
            {
                var x = inputs.Arg(0);
                var shape = ChannelShape(x);
                var scale = inputs.Arg(1).Reshape(shape);
                var bias = inputs.Arg(2).Reshape(shape);
                var mean = inputs.Arg(3).Reshape(shape);
                var variance = inputs.Arg(4).Reshape(shape);
                if (!training) return [(x - mean) * (scale / (variance + eps).Sqrt()) + bias];
                // Training mode: normalise by the batch statistics (population variance) and return the updated
                // running statistics, running' = running·momentum + batch·(1 − momentum).
                var axes = Enumerable.Range(0, x.Rank).Where(a => a != 1).ToArray();
                var batchMean = x.Mean(axes, keepDims: true);
                var batchVariance = x.Var(axes, correction: 0, keepDims: true);
                var y = (x - batchMean) * (scale / (batchVariance + eps).Sqrt()) + bias;
                int channels = x.Shape[1];
                return [y, (mean * momentum + batchMean * (1 - momentum)).Reshape(channels), (variance * momentum + batchVariance * (1 - momentum)).Reshape(channels)];
            };
        });
        OnnxOps.Register("InstanceNormalization", 6, node =>
        {
            float eps = node.Float("epsilon", 1e-5f);
            return inputs =>
            {
                var x = inputs.Arg(0);
                var shape = ChannelShape(x);
                var axes = Enumerable.Range(2, x.Rank - 2).ToArray();
                return [Standardize(x, axes, eps) * inputs.Arg(1).Reshape(shape) + inputs.Arg(2).Reshape(shape)];
            };
        });
        OnnxOps.Register("LayerNormalization", 17, node =>
        {
            long axis = node.Int("axis", -1);
            float eps = node.Float("epsilon", 1e-5f);
            return inputs =>
            {
                var x = inputs.Arg(0);
                int a = OpHelpers.Axis(axis, x.Rank, "LayerNormalization");
                var axes = Enumerable.Range(a, x.Rank - a).ToArray();
                var mean = Average(x, axes);
                var centered = x - mean;
                var invStd = (Average(centered * centered, axes) + eps).Sqrt().Reciprocal();
                var y = centered * invStd * inputs.Arg(1);
                if (inputs.Optional(2) is { } bias) y = y + bias;
                return [y, mean, invStd];
            };
        });
        OnnxOps.Register("RMSNormalization", 23, node =>
        {
            long axis = node.Int("axis", -1);
            float eps = node.Float("epsilon", 1e-5f);
            return inputs =>
            {
                var x = inputs.Arg(0);
                int a = OpHelpers.Axis(axis, x.Rank, "RMSNormalization");
                var axes = Enumerable.Range(a, x.Rank - a).ToArray();
                return [x * (Average(x * x, axes) + eps).Sqrt().Reciprocal() * inputs.Arg(1)];
            };
        });
        OnnxOps.Register("GroupNormalization", 18, node =>
        {
            float eps = node.Float("epsilon", 1e-5f);
            int groups = (int)node.Int("num_groups");
            bool perChannel = node.Opset >= 21;
            return inputs =>
            {
                var x = inputs.Arg(0);
                int n = x.Shape[0], c = x.Shape[1];
                var grouped = x.Reshape(n, groups, -1);
                var y = Standardize(grouped, [2], eps).Reshape(x.Shape.ToArray());
                var shape = ChannelShape(x);
                Tensor scale = inputs.Arg(1), bias = inputs.Arg(2);
                if (!perChannel) { scale = Repeat(scale, c / groups); bias = Repeat(bias, c / groups); }
                return [y * scale.Reshape(shape) + bias.Reshape(shape)];
            };
        });
        OnnxOps.Register("LpNormalization", 1, node =>
        {
            long axis = node.Int("axis", -1), p = node.Int("p", 2);
            if (p is not (1 or 2)) throw node.Unsupported($"p={p}");
            return inputs =>
            {
                var x = inputs.Arg(0);
                int a = OpHelpers.Axis(axis, x.Rank, "LpNormalization");
                var norm = p == 1 ? x.Abs().Sum([a], true) : (x * x).Sum([a], true).Sqrt();
                return [x / norm.Maximum(Tensor.Scalar(float.Epsilon))]; // a zero vector stays zero
            };
        });
        OnnxOps.Register("MeanVarianceNormalization", 9, node =>
        {
            var axes = node.Ints("axes") ?? [0, 2, 3];
            return inputs =>
            {
                var x = inputs.Arg(0);
                return [Standardize(x, [.. axes.Select(a => OpHelpers.Axis(a, x.Rank, "MeanVarianceNormalization"))], 1e-9f, epsInsideSqrt: false)];
            };
        });
        OnnxOps.Register("LRN", 1, node =>
        {
            float alpha = node.Float("alpha", 1e-4f), beta = node.Float("beta", 0.75f), bias = node.Float("bias", 1f);
            int size = (int)node.Int("size");
            return inputs =>
            {
                var x = inputs.Arg(0);
                int c = x.Shape[1];
                var square = x * x;
                int before = (size - 1) / 2, after = size - 1 - before;
                Tensor? sum = null;
                for (int offset = -before; offset <= after; offset++)
                {
                    int lo = Math.Max(0, offset), hi = Math.Min(c, c + offset);
                    if (hi <= lo) continue;
                    var shifted = square.Slice(1, lo, hi, 1);
                    var pads = new int[2 * x.Rank];
                    pads[1] = lo - offset; pads[1 + x.Rank] = c - (hi - offset);
                    shifted = pads.Any(p => p != 0) ? shifted.Pad(pads, PadMode.Constant, 0f) : shifted;
                    sum = sum is null ? shifted : sum + shifted;
                }
                return [x / (sum! * (alpha / size) + bias).Pow(beta)];
            };
        });
    }

    /// <summary>[1, C, 1, …] for broadcasting per-channel parameters against x [N, C, …].</summary>
    private static int[] ChannelShape(Tensor x)
    {
        var shape = Enumerable.Repeat(1, x.Rank).ToArray();
        shape[1] = x.Shape[1];
        return shape;
    }

    /// <summary>Mean over <paramref name="axes"/>, keeping dims.</summary>
    public static Tensor Average(Tensor x, int[] axes)
    {
        int count = axes.Aggregate(1, (p, a) => p * x.Shape[a]);
        return x.Sum(axes, keepDims: true) / count;
    }

    /// <summary>(x − mean) / sqrt(var + eps) over <paramref name="axes"/> (population variance).</summary>
    private static Tensor Standardize(Tensor x, int[] axes, float eps, bool epsInsideSqrt = true)
    {
        var centered = x - Average(x, axes);
        var variance = Average(centered * centered, axes);
        return centered / (epsInsideSqrt ? (variance + eps).Sqrt() : variance.Sqrt() + eps);
    }

    private static Tensor Repeat(Tensor v, int times) =>
        v.Reshape(v.Size, 1).BroadcastTo(new Shape(v.Size, times)).Reshape(v.Size * times);
}
