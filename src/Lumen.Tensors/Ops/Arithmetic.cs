using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors;

/// <summary>Broadcasting arithmetic: +, −, ×, ÷, power, elementwise max/min (NumPy semantics).</summary>
public sealed partial class Tensor
{
    /// <summary>a + b, broadcast.</summary>
    public Tensor Add(Tensor other) => Gradients.Record(Binary<AddOperator>(this, other, "Add", static (x, y) => x + y), "Add", Gradients.AddRule(this, other), this, other);

    /// <summary>a − b, broadcast.</summary>
    public Tensor Sub(Tensor other) => Gradients.Record(Binary<SubtractOperator>(this, other, "Sub", static (x, y) => x - y), "Sub", Gradients.SubRule(this, other), this, other);

    /// <summary>a × b, broadcast.</summary>
    public Tensor Mul(Tensor other) => Gradients.Record(Binary<MultiplyOperator>(this, other, "Mul", static (x, y) => x * y), "Mul", Gradients.MulRule(this, other), this, other);

    /// <summary>a ÷ b, broadcast (integer division truncates toward zero for Int64).</summary>
    public Tensor Div(Tensor other) => Gradients.Record(Binary<DivideOperator>(this, other, "Div", IntDivide), "Div", Gradients.DivRule(this, other), this, other);

    /// <summary>a^b elementwise, broadcast.</summary>
    public Tensor Pow(Tensor exponent) => Gradients.Record(Binary<PowOperator>(this, exponent, "Pow", IntPow), "Pow", Gradients.PowRule(this, exponent), this, exponent);

    /// <summary>a^p for a constant exponent.</summary>
    public Tensor Pow(float exponent) => Pow(Scalar(exponent));

    /// <summary>Elementwise maximum, broadcast; the gradient goes to the larger input (split evenly on ties).</summary>
    public Tensor Maximum(Tensor other) => Gradients.Record(Binary<MaximumOperator>(this, other, "Maximum", Math.Max), "Maximum", Gradients.MaximumRule(this, other), this, other);

    /// <summary>Elementwise minimum, broadcast; the gradient goes to the smaller input (split evenly on ties).</summary>
    public Tensor Minimum(Tensor other) => Gradients.Record(Binary<MinimumOperator>(this, other, "Minimum", Math.Min), "Minimum", Gradients.MinimumRule(this, other), this, other);

    /// <summary>−a.</summary>
    public Tensor Neg() => DType == DType.Int64 ? Scalar(0).ToInt64().Sub(this) : Mul(Scalar(-1f));

    /// <summary>Adds <paramref name="other"/> into this tensor's storage (no autograd; for gradient accumulation
    /// and optimiser steps). Returns this tensor.</summary>
    public Tensor AddInPlace(Tensor other)
    {
        RequireFloat("AddInPlace");
        other.RequireFloat("AddInPlace");
        if (Shape.Broadcast(Shape, other.Shape, "AddInPlace") != Shape)
            throw new ArgumentException($"AddInPlace: shape {other.Shape} cannot be added into shape {Shape}.");
        Broadcasting.Apply<AddOperator>(AsReadOnlySpan(), Shape, other.AsReadOnlySpan(), other.Shape, AsSpan(), Shape);
        return this;
    }

    /// <summary>a + b.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    /// <summary>a − b.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    /// <summary>a × b (elementwise).</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    /// <summary>a ÷ b (elementwise).</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    /// <summary>−a.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();
    /// <summary>a + s.</summary>
    public static Tensor operator +(Tensor a, float s) => a.Add(Scalar(s));
    /// <summary>s + a.</summary>
    public static Tensor operator +(float s, Tensor a) => Scalar(s).Add(a);
    /// <summary>a − s.</summary>
    public static Tensor operator -(Tensor a, float s) => a.Sub(Scalar(s));
    /// <summary>s − a.</summary>
    public static Tensor operator -(float s, Tensor a) => Scalar(s).Sub(a);
    /// <summary>a × s.</summary>
    public static Tensor operator *(Tensor a, float s) => a.Mul(Scalar(s));
    /// <summary>s × a.</summary>
    public static Tensor operator *(float s, Tensor a) => Scalar(s).Mul(a);
    /// <summary>a ÷ s.</summary>
    public static Tensor operator /(Tensor a, float s) => a.Div(Scalar(s));
    /// <summary>s ÷ a.</summary>
    public static Tensor operator /(float s, Tensor a) => Scalar(s).Div(a);

    /// <summary>Converts to Int64 (truncating floats toward zero; bools to 0/1). No gradient.</summary>
    public Tensor ToInt64()
    {
        if (DType == DType.Int64) return this;
        var data = new long[Size];
        if (DType == DType.Float32) { var src = AsReadOnlySpan(); for (int i = 0; i < data.Length; i++) data[i] = (long)src[i]; }
        else { var src = AsBoolSpan(); for (int i = 0; i < data.Length; i++) data[i] = src[i] ? 1 : 0; }
        return new Tensor(Shape, data);
    }

    private static long IntDivide(long x, long y) => y == 0 ? throw new DivideByZeroException("Div: integer division by zero.") : x / y;

    private static long IntPow(long x, long y)
    {
        long r = 1;
        for (long i = 0; i < y; i++) r *= x;
        return y < 0 ? 0 : r;
    }

    /// <summary>Shared forward of the broadcasting binary ops: SIMD for Float32, a scalar loop for Int64.</summary>
    private static Tensor Binary<TOp>(Tensor a, Tensor b, string op, Func<long, long, long> integerOp) where TOp : IBinaryOperator
    {
        ArgumentNullException.ThrowIfNull(b);
        var shape = Shape.Broadcast(a.Shape, b.Shape, op);
        if (a.DType != b.DType)
            throw new ArgumentException($"{op}: dtypes differ ({a.DType} {a.Shape} and {b.DType} {b.Shape}).");
        if (a.DType == DType.Int64)
        {
            var ints = new long[shape.Size];
            Broadcasting.ApplyScalar<long, long, long>(a.AsInt64Span(), a.Shape, b.AsInt64Span(), b.Shape, ints, shape, integerOp);
            return new Tensor(shape, ints);
        }
        a.RequireFloat(op);
        var result = StoragePool.NewFloats(shape.Size, overwrite: false);
        Broadcasting.Apply<TOp>(a.AsReadOnlySpan(), a.Shape, b.AsReadOnlySpan(), b.Shape, result, shape);
        return new Tensor(shape, result);
    }
}
