using Lumen.Onnx.Graph;
using Lumen.Tensors;

namespace Lumen.Onnx.Ops;

/// <summary>Constants and shape queries: Constant, ConstantOfShape, Shape, Size, Range, EyeLike, Identity, Dropout (inference and seeded training mode).</summary>
internal static class ConstantOps
{
    public static void Register()
    {
        CastOps.Register();
        OnnxOps.Register("Constant", 1, node =>
        {
            // every pass returns this one tensor: read-only, like an initializer, so that no hook or kernel can change
            // it for the passes after
            var value = Value(node);
            if (value.DType == DType.Float32) value.MakeReadOnly();
            return _ => [value];
        });
        OnnxOps.Register("ConstantOfShape", 9, node =>
        {
            var fill = node.TensorAttribute("value") ?? Tensor.Scalar(0f);
            if (fill.Size != 1) throw node.Error($"attribute 'value' must hold one element, has shape {fill.Shape}.");
            return inputs => [Filled(new Shape(OpHelpers.Ints(inputs.Arg(0))), fill)];
        });
        OnnxOps.Register("Shape", 1, node =>
        {
            long start = node.Int("start", 0), end = node.Int("end", long.MaxValue);
            return inputs =>
            {
                var dims = inputs.Arg(0).Shape.ToArray();
                int rank = dims.Length;
                int s = (int)Math.Clamp(start < 0 ? start + rank : start, 0, rank);
                int e = (int)Math.Clamp(end < 0 ? end + rank : end, 0, rank);
                return [OpHelpers.LongVector([.. dims[s..Math.Max(s, e)].Select(d => (long)d)])];
            };
        });
        OnnxOps.Register("Size", 1, node => inputs => [OpHelpers.LongTensor([inputs.Arg(0).Size], Shape.Scalar)]);
        OnnxOps.Register("Identity", 1, node => inputs => [inputs.Arg(0)]);
        RegisterRest();
        OnnxOps.Register("Dropout", 7, node =>
        {
            long? seed = node.Has("seed") ? node.Int("seed", 0) : null;
            bool mask = node.Outputs.Count > 1 && node.Outputs[1].Length > 0;
            return inputs => Dropout(inputs, seed, mask);
        });
    }

    /// <summary>Whether <paramref name="node"/> is a Dropout that is surely at inference (no training_mode input, or a
    /// constant false one) and so returns its input as its output: the graph may then pass the input through without
    /// running the node when nothing reads its mask and no hook sees it (building the mask costs an allocation, a
    /// fill and a copy of one bool per element: 51 µs per forward on SqueezeNet's [1, 512, 13, 13]).</summary>
    public static bool PassesThrough(OnnxNode node)
    {
        if (node.Domain is not ("" or "ai.onnx") || node.OpType != "Dropout" || node.Opset < 7) return false;
        if (!node.HasInput(2)) return true;
        return node.ConstantInput(2) is { Size: 1 } training && OpHelpers.Longs(training)[0] == 0;
    }

    /// <summary>
    /// Dropout: inference (no training_mode input, or false) is the identity with a mask of ones. In training mode
    /// with ratio r &gt; 0 an element is kept when u ≥ r for u uniform in [0, 1), and y = x·mask/(1 − r). The u come
    /// from NumPy's legacy Mersenne Twister seeded with the <c>seed</c> attribute afresh on every call (so a seeded
    /// node repeats its mask and matches the ONNX reference); without a seed the stream is seeded randomly.
    /// Srivastava et al., "Dropout", JMLR 2014. At inference the mask is built only when the node asks for it
    /// (<paramref name="mask"/>): its output is its input. A mask that is named but that no node reads still costs its
    /// bool array; the graph skips such a node altogether when no hook can see it (<see cref="PassesThrough"/>).
    /// </summary>
    private static Tensor[] Dropout(Tensor?[] inputs, long? seed, bool mask)
    {
        var x = inputs.Arg(0);
        float ratio = inputs.Optional(1) is { } r ? CastOps.To(r, DType.Float32).ToArray()[0] : 0.5f;
        bool training = inputs.Optional(2) is { } t && OpHelpers.Longs(t)[0] != 0;
        if (!training || ratio == 0f)
        {
            if (!mask) return [x];
            var ones = new bool[x.Size];
            Array.Fill(ones, true);
            return [x, OpHelpers.BoolTensor(ones, x.Shape)];
        }
        if (ratio is < 0f or >= 1f) throw new ArgumentException($"Dropout: ratio must be in [0, 1) in training mode, got {ratio}.");
        var random = new NumPyRandom((uint)(seed ?? Random.Shared.NextInt64(0, 1L << 32)));
        var keep = new bool[x.Size];
        var scale = new float[x.Size];
        for (int i = 0; i < keep.Length; i++)
        {
            keep[i] = random.NextDouble() >= ratio;
            scale[i] = keep[i] ? 1f / (1f - ratio) : 0f;
        }
        return [CastOps.To(CastOps.To(x, DType.Float32) * OpHelpers.FloatTensor(scale, x.Shape), x.DType), OpHelpers.BoolTensor(keep, x.Shape)];
    }

    /// <summary>Range and EyeLike.</summary>
    private static void RegisterRest()
    {
        OnnxOps.Register("Range", 11, node => inputs =>
        {
            var start = inputs.Arg(0);
            if (start.DType == DType.Float32)
            {
                float s = start.Item(), limit = inputs.Arg(1).Item(), delta = inputs.Arg(2).Item();
                int n = Math.Max(0, (int)Math.Ceiling((limit - s) / delta));
                var data = new float[n];
                for (int i = 0; i < n; i++) data[i] = s + i * delta;
                return [OpHelpers.FloatTensor(data, new Shape(n))];
            }
            long a = OpHelpers.Longs(start)[0], l = OpHelpers.Longs(inputs.Arg(1))[0], d = OpHelpers.Longs(inputs.Arg(2))[0];
            if (d == 0) throw new ArgumentException("Range: delta must not be zero.");
            long count = Math.Max(0, (long)Math.Ceiling((double)(l - a) / d));
            var values = new long[count];
            for (long i = 0; i < count; i++) values[i] = a + i * d;
            return [OpHelpers.LongVector(values)];
        });
        OnnxOps.Register("EyeLike", 9, node =>
        {
            long k = node.Int("k", 0);
            int? dtype = node.Has("dtype") ? (int)node.Int("dtype") : null;
            return inputs =>
            {
                var x = inputs.Arg(0);
                if (x.Rank != 2) throw new ArgumentException($"EyeLike: input must be 2-D, got {x.Shape}.");
                int rows = x.Shape[0], cols = x.Shape[1];
                var data = new float[rows * cols];
                for (int r = 0; r < rows; r++)
                {
                    long c = r + k;
                    if (c >= 0 && c < cols) data[r * cols + c] = 1f;
                }
                var eye = OpHelpers.FloatTensor(data, x.Shape);
                return [dtype is { } t ? CastOps.ToOnnxType(eye, t) : CastOps.To(eye, x.DType)];
            };
        });
    }

    /// <summary>The value of a Constant node, from whichever value attribute it carries.</summary>
    public static Tensor Value(OnnxNode node)
    {
        if (node.TensorAttribute("value") is { } t) return t;
        if (node.Has("value_float")) return Tensor.Scalar(node.Float("value_float", 0));
        if (node.Has("value_int")) return OpHelpers.LongTensor([node.Int("value_int")], Shape.Scalar);
        if (node.Floats("value_floats") is { } fs) return OpHelpers.FloatTensor(fs, new Shape(fs.Length));
        if (node.Ints("value_ints") is { } ls) return OpHelpers.LongVector(ls);
        if (node.Has("sparse_value")) throw node.Unsupported("attribute sparse_value");
        if (node.Has("value_string") || node.Has("value_strings")) throw node.Unsupported("string constant");
        throw node.Error("has no value attribute.");
    }

    /// <summary>A tensor of <paramref name="shape"/> filled with the single value of <paramref name="fill"/> (its dtype).</summary>
    public static Tensor Filled(Shape shape, Tensor fill) => fill.DType switch
    {
        DType.Float32 => OpHelpers.FloatTensor(Enumerable.Repeat(fill.AsReadOnlySpan()[0], shape.Size).ToArray(), shape),
        DType.Int64 => OpHelpers.LongTensor(Enumerable.Repeat(fill.AsInt64Span()[0], shape.Size).ToArray(), shape),
        _ => OpHelpers.BoolTensor(Enumerable.Repeat(fill.AsBoolSpan()[0], shape.Size).ToArray(), shape),
    };
}
