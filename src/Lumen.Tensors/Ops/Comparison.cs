using Lumen.Tensors.Kernels;

namespace Lumen.Tensors;

/// <summary>Broadcasting comparisons returning Bool tensors (IEEE semantics: any comparison with NaN is false
/// except NotEqual). Both operands must have the same dtype: Float32 or Int64 (Bool for Equal/NotEqual).</summary>
public sealed partial class Tensor
{
    /// <summary>a == b, broadcast.</summary>
    public Tensor Equal(Tensor other) => Compare<EqualComparison>(other, "Equal", static (x, y) => x == y);

    /// <summary>a != b, broadcast.</summary>
    public Tensor NotEqual(Tensor other) => Compare<NotEqualComparison>(other, "NotEqual", static (x, y) => x != y);

    /// <summary>a &lt; b, broadcast.</summary>
    public Tensor Less(Tensor other) => Compare<LessComparison>(other, "Less", null);

    /// <summary>a ≤ b, broadcast.</summary>
    public Tensor LessEqual(Tensor other) => Compare<LessEqualComparison>(other, "LessEqual", null);

    /// <summary>a &gt; b, broadcast.</summary>
    public Tensor Greater(Tensor other) => Compare<GreaterComparison>(other, "Greater", null);

    /// <summary>a ≥ b, broadcast.</summary>
    public Tensor GreaterEqual(Tensor other) => Compare<GreaterEqualComparison>(other, "GreaterEqual", null);

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

    private Tensor Compare<TOp>(Tensor other, string op, Func<bool, bool, bool>? boolOp) where TOp : IComparisonOperator
    {
        ArgumentNullException.ThrowIfNull(other);
        var shape = Shape.Broadcast(Shape, other.Shape, op);
        if (DType != other.DType)
            throw new ArgumentException($"{op}: dtypes differ ({DType} {Shape} and {other.DType} {other.Shape}).");
        var result = new bool[shape.Size];
        switch (DType)
        {
            case DType.Float32:
                Comparisons.Apply<TOp, float>(AsReadOnlySpan(), Shape, other.AsReadOnlySpan(), other.Shape, result, shape);
                break;
            case DType.Int64:
                Comparisons.Apply<TOp, long>(AsInt64Span(), Shape, other.AsInt64Span(), other.Shape, result, shape);
                break;
            default:
                if (boolOp is null) throw new ArgumentException($"{op}: Bool tensors ({Shape} and {other.Shape}) have no ordering; convert them first.");
                Broadcasting.ApplyScalar(AsBoolSpan(), Shape, other.AsBoolSpan(), other.Shape, result, shape, boolOp);
                break;
        }
        return new Tensor(shape, result);
    }
}
