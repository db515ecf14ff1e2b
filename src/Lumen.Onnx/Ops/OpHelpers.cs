using Lumen.Tensors.IO;
using Lumen.Onnx.Graph;
using Lumen.Onnx.IO;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Onnx.Ops;

/// <summary>Small conversions shared by the converters: reading shape/index tensors, axes, and elementwise
/// composites with an explicit derivative for functions the engine does not provide.</summary>
internal static class OpHelpers
{
    /// <summary>Input <paramref name="index"/>, which must be present.</summary>
    public static Tensor Arg(this Tensor?[] inputs, int index) =>
        index < inputs.Length && inputs[index] is { } t ? t : throw new ArgumentException($"input {index} is required but missing.");

    /// <summary>Input <paramref name="index"/> or null when omitted.</summary>
    public static Tensor? Optional(this Tensor?[] inputs, int index) => index < inputs.Length ? inputs[index] : null;

    /// <summary>The values of an integer (or float) tensor as longs.</summary>
    public static long[] Longs(Tensor t) => t.DType switch
    {
        DType.Int64 => t.ToInt64Array(),
        DType.Float32 => [.. t.ToArray().Select(v => (long)v)],
        _ => [.. t.ToBoolArray().Select(v => v ? 1L : 0L)],
    };

    /// <summary>The values of a tensor as ints (shape and axis lists), saturating huge values (e.g. INT64_MAX ends).</summary>
    public static int[] Ints(Tensor t) => [.. Longs(t).Select(Saturate)];

    /// <summary>Clamps a long into the int range (Slice uses ±2^63 as "to the end").</summary>
    public static int Saturate(long v) => (int)Math.Clamp(v, int.MinValue, int.MaxValue);

    /// <summary>Int array from an INTS attribute.</summary>
    public static int[] Ints(long[] values) => [.. values.Select(Saturate)];

    /// <summary>Normalises a possibly negative axis, naming the op in the error.</summary>
    public static int Axis(long axis, int rank, string op) => Shape.NormalizeAxis(Saturate(axis), rank, op);

    /// <summary>A float tensor with the given shape (rank 0 allowed).</summary>
    public static Tensor FloatTensor(float[] data, Shape shape) => RawElements.Create(data, shape);

    /// <summary>An int64 tensor with the given shape (rank 0 allowed).</summary>
    public static Tensor LongTensor(long[] data, Shape shape) => RawElements.Create(data, shape);

    /// <summary>A bool tensor with the given shape (rank 0 allowed).</summary>
    public static Tensor BoolTensor(bool[] data, Shape shape) => RawElements.Create(data, shape);

    /// <summary>A 1-D int64 tensor.</summary>
    public static Tensor LongVector(params long[] data) => RawElements.Create(data, new Shape(data.Length));

    /// <summary>
    /// Applies <paramref name="f"/> to every element of a float tensor and records the gradient
    /// g · f'(x) with <paramref name="derivative"/>(x) built from tensor ops (so higher-order use stays correct).
    /// </summary>
    public static Tensor Pointwise(Tensor x, string op, Func<float, float> f, Func<Tensor, Tensor> derivative)
    {
        x.RequireFloat(op);
        var src = x.AsReadOnlySpan();
        var data = new float[src.Length];
        for (int i = 0; i < data.Length; i++) data[i] = f(src[i]);
        var result = FloatTensor(data, x.Shape);
        if (!x.RequiresGrad || !GradMode.IsEnabled) return result;
        return Gradients.Custom(op, result, [x], (g, needs) => [needs[0] ? g * derivative(x) : null]);
    }

    /// <summary>Applies <paramref name="f"/> to every element with a zero gradient (rounding-like functions).</summary>
    public static Tensor PointwiseConstant(Tensor x, string op, Func<float, float> f) =>
        Pointwise(x, op, f, t => t.ZerosLike());

    /// <summary>Throws <see cref="ArgumentException"/> naming the op unless <paramref name="t"/> is Float32.</summary>
    public static void RequireFloat(this Tensor t, string op)
    {
        if (t.DType != DType.Float32) throw new ArgumentException($"{op}: expected a Float32 tensor, got {t.DType} of shape {t.Shape}.");
    }

    /// <summary>A scalar of the tensor's dtype.</summary>
    public static Tensor ScalarLike(Tensor like, double value) => like.DType switch
    {
        DType.Int64 => LongTensor([(long)value], Shape.Scalar),
        DType.Bool => BoolTensor([value != 0], Shape.Scalar),
        _ => Tensor.Scalar((float)value),
    };

    /// <summary>Row-major coordinates of flat <paramref name="index"/> in a box of <paramref name="sizes"/>.</summary>
    public static void Unflatten(int index, int[] sizes, int[] coordinates)
    {
        for (int d = sizes.Length - 1; d >= 0; d--)
        {
            coordinates[d] = index % sizes[d];
            index /= sizes[d];
        }
    }
}
