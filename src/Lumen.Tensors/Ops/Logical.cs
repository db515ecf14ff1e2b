using System.Runtime.InteropServices;
using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors;

/// <summary>Boolean logic, selection (<see cref="Where"/>), NaN tests and dtype casts.</summary>
public sealed partial class Tensor
{
    /// <summary>Logical and of two Bool tensors, broadcast.</summary>
    public Tensor And(Tensor other) => Logical(other, "And", static (x, y) => x & y, System.Numerics.Tensors.TensorPrimitives.BitwiseAnd);

    /// <summary>Logical or of two Bool tensors, broadcast.</summary>
    public Tensor Or(Tensor other) => Logical(other, "Or", static (x, y) => x | y, System.Numerics.Tensors.TensorPrimitives.BitwiseOr);

    /// <summary>Logical exclusive or of two Bool tensors, broadcast.</summary>
    public Tensor Xor(Tensor other) => Logical(other, "Xor", static (x, y) => x ^ y, System.Numerics.Tensors.TensorPrimitives.Xor);

    /// <summary>Logical negation of a Bool tensor.</summary>
    public Tensor Not()
    {
        if (DType != DType.Bool) throw new ArgumentException($"Not: expected a Bool tensor, got {DType} of shape {Shape}.");
        var src = AsBoolSpan();
        var data = new bool[Size];
        for (int i = 0; i < data.Length; i++) data[i] = !src[i];
        return new Tensor(Shape, data);
    }

    /// <summary>True where the element is NaN (always false for Int64 and Bool tensors).</summary>
    public Tensor IsNaN()
    {
        var data = new bool[Size];
        if (DType == DType.Float32)
        {
            var src = AsReadOnlySpan();
            for (int i = 0; i < data.Length; i++) data[i] = float.IsNaN(src[i]);
        }
        return new Tensor(Shape, data);
    }

    /// <summary>
    /// Elementwise selection: <paramref name="a"/> where <paramref name="condition"/> is true, else
    /// <paramref name="b"/>; all three broadcast together. The gradient flows to a where the condition holds
    /// and to b elsewhere (each summed back to its own shape).
    /// </summary>
    /// <param name="condition">A Bool tensor.</param>
    /// <param name="a">Values taken where the condition is true.</param>
    /// <param name="b">Values taken elsewhere; same dtype as <paramref name="a"/>.</param>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (condition.DType != DType.Bool)
            throw new ArgumentException($"Where: the condition must be Bool, got {condition.DType} of shape {condition.Shape}.");
        if (a.DType != b.DType)
            throw new ArgumentException($"Where: the branches have different dtypes ({a.DType} {a.Shape} and {b.DType} {b.Shape}).");
        var shape = Shape.Broadcast(Shape.Broadcast(condition.Shape, a.Shape, "Where"), b.Shape, "Where");
        var mask = Expanded(condition, shape).AsBoolSpan();
        int sa = a.Size == 1 ? 0 : 1, sb = b.Size == 1 ? 0 : 1;                // single values are read with stride 0
        Tensor result;
        switch (a.DType)
        {
            case DType.Float32:
            {
                var data = new float[shape.Size];
                Selection.Select(mask, Operand(a, shape).AsReadOnlySpan(), sa, Operand(b, shape).AsReadOnlySpan(), sb, data);
                result = new Tensor(shape, data);
                break;
            }
            case DType.Int64:
            {
                var data = new long[shape.Size];
                Selection.Select(mask, Operand(a, shape).AsInt64Span(), sa, Operand(b, shape).AsInt64Span(), sb, data);
                result = new Tensor(shape, data);
                break;
            }
            default:
            {
                var data = new bool[shape.Size];
                Selection.Select(mask, Operand(a, shape).AsBoolSpan(), sa, Operand(b, shape).AsBoolSpan(), sb, data);
                result = new Tensor(shape, data);
                break;
            }
        }
        return Gradients.Record(result, "Where", Gradients.WhereRule(condition, a.Shape, b.Shape), a, b);
    }

    /// <summary>Converts to Float32 (Int64 by value, Bool to 0/1); returns this tensor when already Float32.
    /// No gradient flows through a conversion from another dtype.</summary>
    public Tensor ToFloat32()
    {
        if (DType == DType.Float32) return this;
        var data = new float[Size];
        if (DType == DType.Int64) { var src = AsInt64Span(); for (int i = 0; i < data.Length; i++) data[i] = src[i]; }
        else { var src = AsBoolSpan(); for (int i = 0; i < data.Length; i++) data[i] = Selection.Bit(src[i]); }
        return new Tensor(Shape, data);
    }

    /// <summary>Converts to Bool: true where the element is non-zero (NaN counts as non-zero). No gradient.</summary>
    public Tensor ToBool()
    {
        if (DType == DType.Bool) return this;
        var data = new bool[Size];
        if (DType == DType.Int64) { var src = AsInt64Span(); for (int i = 0; i < data.Length; i++) data[i] = src[i] != 0; }
        else { var src = AsReadOnlySpan(); for (int i = 0; i < data.Length; i++) data[i] = src[i] != 0; }
        return new Tensor(Shape, data);
    }

    /// <summary>The tensor broadcast to <paramref name="shape"/> without autograd (itself when already that shape).</summary>
    private static Tensor Expanded(Tensor t, Shape shape)
    {
        if (t.Shape == shape) return t;
        using var _ = GradMode.Off();
        return t.BroadcastTo(shape);
    }

    /// <summary>A Where branch as read by <see cref="Selection"/>: itself when it has one element (read with
    /// stride 0) or the output shape, else broadcast to the output shape.</summary>
    private static Tensor Operand(Tensor t, Shape shape) => t.Size == 1 ? t : Expanded(t, shape);

    /// <summary>A bitwise byte kernel (x, y, destination): on 0/1 bytes it is the logical op, vectorised.</summary>
    private delegate void ByteKernel(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> destination);

    private Tensor Logical(Tensor other, string op, Func<bool, bool, bool> f, ByteKernel sameShape)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (DType != DType.Bool || other.DType != DType.Bool)
            throw new ArgumentException($"{op}: expected Bool tensors, got {DType} {Shape} and {other.DType} {other.Shape}.");
        var shape = Shape.Broadcast(Shape, other.Shape, op);
        var data = new bool[shape.Size];
        if (Shape == other.Shape)                                                  // bools are the bytes 0 and 1
            sameShape(MemoryMarshal.AsBytes(AsBoolSpan()), MemoryMarshal.AsBytes(other.AsBoolSpan()), MemoryMarshal.AsBytes(data.AsSpan()));
        else
            Broadcasting.ApplyScalar(AsBoolSpan(), Shape, other.AsBoolSpan(), other.Shape, data, shape, f);
        return new Tensor(shape, data);
    }
}
