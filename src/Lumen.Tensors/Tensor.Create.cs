namespace Lumen.Tensors;

public sealed partial class Tensor
{
    /// <summary>A float32 tensor of zeros.</summary>
    public static Tensor Zeros(params int[] shape) => Zeros(new Shape(shape));

    /// <summary>A float32 tensor of zeros.</summary>
    public static Tensor Zeros(Shape shape) => new(shape, new float[shape.Size]);

    /// <summary>A float32 tensor of ones.</summary>
    public static Tensor Ones(params int[] shape) => Full(new Shape(shape), 1f);

    /// <summary>A float32 tensor of ones.</summary>
    public static Tensor Ones(Shape shape) => Full(shape, 1f);

    /// <summary>A float32 tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(Shape shape, float value)
    {
        var data = new float[shape.Size];
        Array.Fill(data, value);
        return new Tensor(shape, data);
    }

    /// <summary>A rank-0 float32 tensor.</summary>
    public static Tensor Scalar(float value) => new(Shape.Scalar, [value]);

    /// <summary>A float32 tensor holding a copy of <paramref name="data"/>, with the given shape
    /// (defaults to a vector of data's length).</summary>
    public static Tensor FromArray(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        var s = shape.Length == 0 ? new Shape(data.Length) : new Shape(shape);
        if (s.Size != data.Length) throw new ArgumentException($"FromArray: {data.Length} values do not fill shape {s} ({s.Size} elements).");
        return new Tensor(s, (float[])data.Clone());
    }

    /// <summary>An int64 tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor FromArray(long[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        var s = shape.Length == 0 ? new Shape(data.Length) : new Shape(shape);
        if (s.Size != data.Length) throw new ArgumentException($"FromArray: {data.Length} values do not fill shape {s} ({s.Size} elements).");
        return new Tensor(s, (long[])data.Clone());
    }

    /// <summary>A bool tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor FromArray(bool[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        var s = shape.Length == 0 ? new Shape(data.Length) : new Shape(shape);
        if (s.Size != data.Length) throw new ArgumentException($"FromArray: {data.Length} values do not fill shape {s} ({s.Size} elements).");
        return new Tensor(s, (bool[])data.Clone());
    }

    /// <summary>A tensor of the given dtype and shape, zero-filled.</summary>
    public static Tensor Empty(Shape shape, DType dtype) => dtype switch
    {
        DType.Float32 => new Tensor(shape, new float[shape.Size]),
        DType.Int64 => new Tensor(shape, new long[shape.Size]),
        _ => new Tensor(shape, new bool[shape.Size]),
    };

    /// <summary>The float32 vector [start, start+step, …) stopping before <paramref name="end"/>.</summary>
    public static Tensor Arange(float start, float end, float step = 1f)
    {
        if (step == 0 || float.IsNaN(step)) throw new ArgumentException($"Arange: step must be non-zero, got {step}.");
        int n = Math.Max(0, (int)Math.Ceiling((end - start) / step));
        var data = new float[n];
        for (int i = 0; i < n; i++) data[i] = start + i * step;
        return new Tensor(new Shape(n), data);
    }

    /// <summary>The float32 vector [0, 1, …, n-1].</summary>
    public static Tensor Arange(int n) => Arange(0, n);

    /// <summary>Standard-normal samples from a seeded generator (deterministic for a given seed).</summary>
    public static Tensor Randn(Shape shape, int seed = 0) => Randn(shape, new Random(seed));

    /// <summary>Standard-normal samples (Box–Muller) from <paramref name="rng"/>.</summary>
    public static Tensor Randn(Shape shape, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var data = new float[shape.Size];
        for (int i = 0; i < data.Length; i += 2)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            data[i] = (float)(r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < data.Length) data[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2));
        }
        return new Tensor(shape, data);
    }

    /// <summary>Uniform samples in [low, high) from a seeded generator.</summary>
    public static Tensor Rand(Shape shape, int seed = 0, float low = 0f, float high = 1f) => Rand(shape, new Random(seed), low, high);

    /// <summary>Uniform samples in [low, high) from <paramref name="rng"/>.</summary>
    public static Tensor Rand(Shape shape, Random rng, float low = 0f, float high = 1f)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var data = new float[shape.Size];
        for (int i = 0; i < data.Length; i++) data[i] = low + (high - low) * (float)rng.NextDouble();
        return new Tensor(shape, data);
    }

    /// <summary>A float32 tensor of zeros with this tensor's shape.</summary>
    public Tensor ZerosLike() => Zeros(Shape);

    /// <summary>A float32 tensor of ones with this tensor's shape.</summary>
    public Tensor OnesLike() => Ones(Shape);

    /// <summary>A deep copy with no autograd history.</summary>
    public Tensor Clone() => DType switch
    {
        DType.Float32 => new Tensor(Shape, AsReadOnlySpan().ToArray()) { Name = Name },
        DType.Int64 => new Tensor(Shape, AsInt64Span().ToArray()) { Name = Name },
        _ => new Tensor(Shape, AsBoolSpan().ToArray()) { Name = Name },
    };
}
