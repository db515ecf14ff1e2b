using Lumen.Tensors.Autograd;

namespace Lumen.Tensors;

/// <summary>Shape and layout ops: reshape, permute, slice, concat, gather, pad, … (no arithmetic).</summary>
public sealed partial class Tensor
{
    /// <summary>Same elements in a new shape (one dimension may be −1 and is inferred). Shares storage.</summary>
    public Tensor Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var target = InferShape(shape, "Reshape");
        var result = new Tensor(target, DType, floats, longs, bools);
        var original = Shape;
        return Gradients.Record(result, "Reshape", (g, needs) => [g.Reshape(original.ToArray())], this);
    }

    /// <summary>Repeats size-1 (and missing leading) dimensions to reach <paramref name="shape"/> (NumPy
    /// broadcasting). The backward pass sums the gradient back.</summary>
    public Tensor BroadcastTo(Shape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (Shape.Broadcast(Shape, shape, "BroadcastTo") != shape)
            throw new ArgumentException($"BroadcastTo: shape {Shape} cannot be broadcast to {shape}.");
        if (shape == Shape) return this;
        Tensor result;
        if (DType == DType.Float32)
        {
            var data = new float[shape.Size];
            Kernels.Broadcasting.Apply<Kernels.RightOperator>([0f], Shape.Scalar, AsSpan(), Shape, data, shape);
            result = new Tensor(shape, data);
        }
        else if (DType == DType.Int64)
        {
            var data = new long[shape.Size];
            Kernels.Broadcasting.ApplyScalar<long, long, long>([0L], Shape.Scalar, AsInt64Span(), Shape, data, shape, static (_, y) => y);
            result = new Tensor(shape, data);
        }
        else
        {
            var data = new bool[shape.Size];
            Kernels.Broadcasting.ApplyScalar<bool, bool, bool>([false], Shape.Scalar, AsBoolSpan(), Shape, data, shape, static (_, y) => y);
            result = new Tensor(shape, data);
        }
        var original = Shape;
        return Gradients.Record(result, "BroadcastTo", (g, needs) => [g.SumTo(original)], this);
    }

    /// <summary>Resolves a −1 in a requested shape against this tensor's size.</summary>
    private Shape InferShape(int[] shape, string op)
    {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"{op}: more than one −1 in [{string.Join(", ", shape)}].");
                infer = i;
            }
            else if (shape[i] < 0) throw new ArgumentException($"{op}: invalid dimension {shape[i]} in [{string.Join(", ", shape)}].");
            else known *= shape[i];
        }
        var dims = (int[])shape.Clone();
        if (infer >= 0)
        {
            if (known == 0 || Size % known != 0)
                throw new ArgumentException($"{op}: cannot reshape {Shape} ({Size} elements) to [{string.Join(", ", shape)}].");
            dims[infer] = (int)(Size / known);
        }
        var target = new Shape(dims);
        if (target.Size != Size) throw new ArgumentException($"{op}: cannot reshape {Shape} ({Size} elements) to {target} ({target.Size} elements).");
        return target;
    }
}
