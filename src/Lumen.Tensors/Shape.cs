namespace Lumen.Tensors;

/// <summary>An immutable, row-major tensor shape: the size of each dimension, outermost first.</summary>
/// <example><code>var s = new Shape(1, 3, 224, 224); // s.Size == 150528, s.ToString() == "[1, 3, 224, 224]"</code></example>
public sealed class Shape : IEquatable<Shape>
{
    private readonly int[] dims;

    /// <summary>Creates a shape; every dimension must be non-negative.</summary>
    public Shape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        long size = 1;
        foreach (var d in dims)
        {
            if (d < 0) throw new ArgumentException($"Shape: dimension {d} is negative in [{string.Join(", ", dims)}].");
            size *= d;
            if (size > int.MaxValue) throw new ArgumentException($"Shape: [{string.Join(", ", dims)}] has more than {int.MaxValue} elements.");
        }
        this.dims = (int[])dims.Clone();
        Size = (int)size;
    }

    /// <summary>The shape of a scalar (rank 0, one element).</summary>
    public static Shape Scalar { get; } = new();

    /// <summary>Number of dimensions.</summary>
    public int Rank => dims.Length;

    /// <summary>Number of elements (the product of the dimensions; 1 for a scalar).</summary>
    public int Size { get; }

    /// <summary>Size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis] => dims[NormalizeAxis(axis, Rank, "Shape")];

    /// <summary>The dimensions as a span (no copy).</summary>
    public ReadOnlySpan<int> Dims => dims;

    /// <summary>The dimensions as a new array.</summary>
    public int[] ToArray() => (int[])dims.Clone();

    /// <summary>Row-major strides in elements: stride[i] = product of dims after i.</summary>
    public int[] Strides()
    {
        var strides = new int[Rank];
        int s = 1;
        for (int i = Rank - 1; i >= 0; i--) { strides[i] = s; s *= dims[i]; }
        return strides;
    }

    /// <summary>Product of the dimensions in [start, end).</summary>
    public int Product(int start, int end)
    {
        int p = 1;
        for (int i = start; i < end; i++) p *= dims[i];
        return p;
    }

    /// <summary>Maps a possibly negative axis into [0, rank), or throws naming the op.</summary>
    public static int NormalizeAxis(int axis, int rank, string op)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= Math.Max(rank, 1) || (rank == 0 && axis != 0 && axis != -1))
            throw new ArgumentOutOfRangeException(nameof(axis), $"{op}: axis {axis} is out of range for rank {rank}.");
        return a;
    }

    /// <summary>NumPy broadcasting of two shapes, or an error naming <paramref name="op"/> and both shapes.</summary>
    public static Shape Broadcast(Shape a, Shape b, string op)
    {
        if (a.Equals(b)) return a;
        int rank = Math.Max(a.Rank, b.Rank);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a.dims[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b.dims[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op}: shapes {a} and {b} cannot be broadcast together (dimension {i}: {da} vs {db}).");
            result[i] = da == 1 ? db : da;
        }
        return new Shape(result);
    }

    /// <summary>Returns a copy with dimension <paramref name="axis"/> replaced.</summary>
    public Shape With(int axis, int size)
    {
        var d = ToArray();
        d[NormalizeAxis(axis, Rank, "Shape.With")] = size;
        return new Shape(d);
    }

    /// <inheritdoc/>
    public bool Equals(Shape? other) => other is not null && dims.AsSpan().SequenceEqual(other.dims);

    /// <summary>True when the dimensions equal <paramref name="other"/>.</summary>
    public bool Equals(ReadOnlySpan<int> other) => dims.AsSpan().SequenceEqual(other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Formats as <c>[d0, d1, …]</c>.</summary>
    public override string ToString() => "[" + string.Join(", ", dims) + "]";

    /// <summary>Shape equality.</summary>
    public static bool operator ==(Shape? a, Shape? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Shape inequality.</summary>
    public static bool operator !=(Shape? a, Shape? b) => !(a == b);

    /// <summary>Implicit conversion from an int array.</summary>
    public static implicit operator Shape(int[] dims) => new(dims);
}
