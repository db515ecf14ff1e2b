using System.Globalization;
using System.Text;
using Lumen.Tensors.Autograd;

namespace Lumen.Tensors;

/// <summary>
/// A dense, contiguous, row-major tensor. Float32 tensors take part in reverse-mode autograd: every op on a
/// tensor that <see cref="RequiresGrad"/> records a <see cref="Node"/> so that <c>Gradients.Of</c> can
/// differentiate through it. Int64 and Bool tensors carry indices, shapes and masks.
/// Ops never modify their inputs; they return new tensors.
/// </summary>
/// <example><code>
/// var x = Tensor.FromArray(new float[] { 1, 2, 3 }, 3).RequireGrad();
/// var y = (x * x).Sum();              // 14
/// var g = Gradients.Of(y, x);         // [2, 4, 6]
/// </code></example>
public sealed partial class Tensor
{
    private readonly float[]? floats;
    private readonly long[]? longs;
    private readonly bool[]? bools;
    private bool requiresGrad;

    private Tensor(Shape shape, DType dtype, float[]? f, long[]? l, bool[]? b)
    {
        Shape = shape;
        DType = dtype;
        floats = f;
        longs = l;
        bools = b;
    }

    /// <summary>Wraps an existing float array without copying (internal: ops own their outputs).</summary>
    internal Tensor(Shape shape, float[] data) : this(shape, DType.Float32, data, null, null)
    {
        if (data.Length < shape.Size) throw new ArgumentException($"Tensor: {data.Length} values cannot fill shape {shape}.");
    }

    /// <summary>Wraps an existing int64 array without copying.</summary>
    internal Tensor(Shape shape, long[] data) : this(shape, DType.Int64, null, data, null)
    {
        if (data.Length < shape.Size) throw new ArgumentException($"Tensor: {data.Length} values cannot fill shape {shape}.");
    }

    /// <summary>Wraps an existing bool array without copying.</summary>
    internal Tensor(Shape shape, bool[] data) : this(shape, DType.Bool, null, null, data)
    {
        if (data.Length < shape.Size) throw new ArgumentException($"Tensor: {data.Length} values cannot fill shape {shape}.");
    }

    /// <summary>The dimensions of this tensor.</summary>
    public Shape Shape { get; }

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>Number of elements.</summary>
    public int Size => Shape.Size;

    /// <summary>An optional name, used in error messages and reports.</summary>
    public string? Name { get; set; }

    /// <summary>The op that produced this tensor, when it was recorded for autograd; null for leaves.</summary>
    internal Node? GradFn { get; set; }

    /// <summary>True when gradients flow to or through this tensor: a leaf marked by the user, or an op result
    /// recorded from such a tensor.</summary>
    public bool RequiresGrad
    {
        get => requiresGrad || GradFn is not null;
        set
        {
            if (value && DType != DType.Float32)
                throw new InvalidOperationException($"RequiresGrad: only Float32 tensors can require gradients (this one is {DType}, shape {Shape}).");
            requiresGrad = value;
        }
    }

    /// <summary>True when this tensor was not produced by a recorded op.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>Gradient accumulated by <see cref="Backward"/> on a leaf; null until then.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>Marks this leaf as requiring gradients and returns it (fluent).</summary>
    public Tensor RequireGrad()
    {
        RequiresGrad = true;
        return this;
    }

    /// <summary>Returns a tensor sharing this one's storage with no autograd history.</summary>
    public Tensor Detach() => new(Shape, DType, floats, longs, bools) { Name = Name };

    /// <summary>The float32 elements, row-major, to write. Writing to it mutates the tensor: do so only before the tensor
    /// is used in a recorded graph, or gradients through it become wrong. To read, use <see cref="AsReadOnlySpan"/>.</summary>
    /// <exception cref="InvalidOperationException">The tensor is read-only (<see cref="IsReadOnly"/>).</exception>
    public Span<float> AsSpan()
    {
        RequireWritable();
        return (floats ?? throw WrongType(DType.Float32)).AsSpan(0, Size);
    }

    /// <summary>The int64 elements, row-major.</summary>
    public Span<long> AsInt64Span() => (longs ?? throw WrongType(DType.Int64)).AsSpan(0, Size);

    /// <summary>The bool elements, row-major.</summary>
    public Span<bool> AsBoolSpan() => (bools ?? throw WrongType(DType.Bool)).AsSpan(0, Size);

    /// <summary>The backing float array (may be longer than <see cref="Size"/>); internal for kernels.</summary>
    internal float[] Floats => floats ?? throw WrongType(DType.Float32);

    /// <summary>The backing int64 array; internal for kernels.</summary>
    internal long[] Longs => longs ?? throw WrongType(DType.Int64);

    /// <summary>The backing bool array; internal for kernels.</summary>
    internal bool[] Bools => bools ?? throw WrongType(DType.Bool);

    /// <summary>Copies the float32 elements out.</summary>
    public float[] ToArray() => AsReadOnlySpan().ToArray();

    /// <summary>Copies the int64 elements out.</summary>
    public long[] ToInt64Array() => AsInt64Span().ToArray();

    /// <summary>Copies the bool elements out.</summary>
    public bool[] ToBoolArray() => AsBoolSpan().ToArray();

    /// <summary>The single value of a one-element float tensor.</summary>
    public float Item()
    {
        if (Size != 1) throw new InvalidOperationException($"Item: tensor of shape {Shape} has {Size} elements, not 1.");
        return DType switch
        {
            DType.Float32 => floats![0],
            DType.Int64 => longs![0],
            _ => bools![0] ? 1f : 0f,
        };
    }

    /// <summary>Reads one element (any dtype, as float) at a full multi-index.</summary>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public float this[params int[] index]
    {
        get
        {
            int offset = Offset(index);
            return DType switch
            {
                DType.Float32 => floats![offset],
                DType.Int64 => longs![offset],
                _ => bools![offset] ? 1f : 0f,
            };
        }
    }

    /// <summary>Row-major offset of a full multi-index, checked against the shape.</summary>
    internal int Offset(ReadOnlySpan<int> index)
    {
        if (index.Length != Rank)
            throw new ArgumentException($"Index: {index.Length} indices given for a tensor of rank {Rank} (shape {Shape}).");
        int offset = 0;
        for (int i = 0; i < Rank; i++)
        {
            int d = Shape.Dims[i];
            int ix = index[i] < 0 ? index[i] + d : index[i];
            if (ix < 0 || ix >= d) throw new ArgumentOutOfRangeException(nameof(index), $"Index: {index[i]} is out of range for dimension {i} of shape {Shape}.");
            offset = offset * d + ix;
        }
        return offset;
    }

    private InvalidOperationException WrongType(DType wanted) =>
        new($"Tensor{(Name is null ? "" : " '" + Name + "'")} of shape {Shape} has dtype {DType}, not {wanted}.");

    /// <summary>Throws unless this tensor is Float32, naming <paramref name="op"/>.</summary>
    internal void RequireFloat(string op)
    {
        if (DType != DType.Float32) throw new ArgumentException($"{op}: expected a Float32 tensor, got {DType} of shape {Shape}.");
    }

    /// <summary>Computes the gradients of this tensor (seeded with ones) with respect to every leaf that
    /// requires them, and adds them to each leaf's <see cref="Grad"/>. For training loops.</summary>
    public void Backward(Tensor? seed = null) => Gradients.Accumulate(this, seed);

    /// <summary>A short description: shape, dtype and up to eight leading values.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("Tensor").Append(Shape).Append(' ').Append(DType).Append(" {");
        int n = Math.Min(Size, 8);
        for (int i = 0; i < n; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(DType switch
            {
                DType.Float32 => floats![i].ToString("G6", CultureInfo.InvariantCulture),
                DType.Int64 => longs![i].ToString(CultureInfo.InvariantCulture),
                _ => bools![i] ? "true" : "false",
            });
        }
        if (Size > n) sb.Append(", …");
        return sb.Append('}').ToString();
    }
}
