using Lumen.Tensors.Kernels;

namespace Lumen.Tensors;

/// <summary>Broadcasting comparisons returning Bool tensors (IEEE semantics: any comparison with NaN is false
/// except NotEqual). Both operands must have the same dtype: Float32 or Int64 (Bool for Equal/NotEqual).</summary>
public sealed partial class Tensor
{
    /// <summary>a == b, broadcast.</summary>
    public Tensor Equal(Tensor other) => Compare(other, "Equal", static (x, y) => x == y, static (x, y) => x == y, static (x, y) => x == y);

    /// <summary>a != b, broadcast.</summary>
    public Tensor NotEqual(Tensor other) => Compare(other, "NotEqual", static (x, y) => x != y, static (x, y) => x != y, static (x, y) => x != y);

    /// <summary>a &lt; b, broadcast.</summary>
    public Tensor Less(Tensor other) => Compare(other, "Less", static (x, y) => x < y, static (x, y) => x < y, null);

    /// <summary>a ≤ b, broadcast.</summary>
    public Tensor LessEqual(Tensor other) => Compare(other, "LessEqual", static (x, y) => x <= y, static (x, y) => x <= y, null);

    /// <summary>a &gt; b, broadcast.</summary>
    public Tensor Greater(Tensor other) => Compare(other, "Greater", static (x, y) => x > y, static (x, y) => x > y, null);

    /// <summary>a ≥ b, broadcast.</summary>
    public Tensor GreaterEqual(Tensor other) => Compare(other, "GreaterEqual", static (x, y) => x >= y, static (x, y) => x >= y, null);

    /// <summary>a == value.</summary>
    public Tensor Equal(float value) => Equal(ScalarOfMyType(value, "Equal"));

    /// <summary>a != value.</summary>
    public Tensor NotEqual(float value) => NotEqual(ScalarOfMyType(value, "NotEqual"));

    /// <summary>a &lt; value.</summary>
    public Tensor Less(float value) => Less(ScalarOfMyType(value, "Less"));

    /// <summary>a ≤ value.</summary>
    public Tensor LessEqual(float value) => LessEqual(ScalarOfMyType(value, "LessEqual"));

    /// <summary>a &gt; value.</summary>
    public Tensor Greater(float value) => Greater(ScalarOfMyType(value, "Greater"));

    /// <summary>a ≥ value.</summary>
    public Tensor GreaterEqual(float value) => GreaterEqual(ScalarOfMyType(value, "GreaterEqual"));

    /// <summary>A rank-0 tensor of this tensor's dtype holding <paramref name="value"/> (Int64 needs an integral value).</summary>
    private Tensor ScalarOfMyType(float value, string op)
    {
        if (DType == DType.Float32) return Scalar(value);
        if (DType == DType.Int64 && value == MathF.Floor(value)) return new Tensor(Shape.Scalar, [(long)value]);
        throw new ArgumentException($"{op}: cannot compare a {DType} tensor of shape {Shape} with the scalar {value}.");
    }

    private Tensor Compare(Tensor other, string op, Func<float, float, bool> floatOp, Func<long, long, bool> longOp, Func<bool, bool, bool>? boolOp)
    {
        ArgumentNullException.ThrowIfNull(other);
        var shape = Shape.Broadcast(Shape, other.Shape, op);
        if (DType != other.DType)
            throw new ArgumentException($"{op}: dtypes differ ({DType} {Shape} and {other.DType} {other.Shape}).");
        var result = new bool[shape.Size];
        switch (DType)
        {
            case DType.Float32:
                if (Shape == shape && other.Size == 1) CompareToScalar(AsSpan(), other.AsSpan()[0], result, floatOp);
                else Broadcasting.ApplyScalar(AsSpan(), Shape, other.AsSpan(), other.Shape, result, shape, floatOp);
                break;
            case DType.Int64:
                Broadcasting.ApplyScalar(AsInt64Span(), Shape, other.AsInt64Span(), other.Shape, result, shape, longOp);
                break;
            default:
                if (boolOp is null) throw new ArgumentException($"{op}: Bool tensors ({Shape} and {other.Shape}) have no ordering; convert them first.");
                Broadcasting.ApplyScalar(AsBoolSpan(), Shape, other.AsBoolSpan(), other.Shape, result, shape, boolOp);
                break;
        }
        return new Tensor(shape, result);
    }

    private static void CompareToScalar(ReadOnlySpan<float> x, float y, Span<bool> d, Func<float, float, bool> f)
    {
        for (int i = 0; i < x.Length; i++) d[i] = f(x[i], y);
    }
}
