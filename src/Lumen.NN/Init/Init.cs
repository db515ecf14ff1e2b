using Lumen.Tensors;

namespace Lumen.NN;

/// <summary>
/// Weight initialisers (seeded, deterministic). Layers draw from <see cref="Generator"/> unless given their own
/// <see cref="Random"/>, so a model built in the same order after <see cref="Seed"/> is bit-identical.
/// </summary>
/// <remarks>fan_in = shape[1]·receptive field, fan_out = shape[0]·receptive field (receptive field = product of
/// dims after the second). Kaiming: std = gain/√fan_in with gain √(2/(1+a²)) (He et al. 2015,
/// https://arxiv.org/abs/1502.01852); Xavier: std = gain·√(2/(fan_in+fan_out)) (Glorot &amp; Bengio 2010).</remarks>
public static class Init
{
    private static readonly object Gate = new();
    private static Random generator = new(0);

    /// <summary>The shared generator layers use by default (seeded with 0 at start-up).</summary>
    public static Random Generator
    {
        get { lock (Gate) return generator; }
        set { ArgumentNullException.ThrowIfNull(value); lock (Gate) generator = value; }
    }

    /// <summary>Re-seeds <see cref="Generator"/>.</summary>
    public static void Seed(int seed) => Generator = new Random(seed);

    /// <summary>(fan_in, fan_out) of a weight shape [out, in, *receptive].</summary>
    /// <exception cref="ArgumentException">The shape has rank below 2.</exception>
    public static (int FanIn, int FanOut) Fans(Shape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Rank < 2) throw new ArgumentException($"Init: fan in/out need a weight of rank ≥ 2, got {shape}.", nameof(shape));
        int receptive = shape.Product(2, shape.Rank);
        return (shape[1] * receptive, shape[0] * receptive);
    }

    /// <summary>U(−b, b) with b = gain·√(3/fan_in), gain = √(2/(1+a²)).</summary>
    public static Tensor KaimingUniform(Shape shape, float a = 0f, Random? rng = null)
    {
        float bound = Gain(a) * MathF.Sqrt(3f / Fans(shape).FanIn);
        return Uniform(shape, -bound, bound, rng);
    }

    /// <summary>N(0, std²) with std = gain/√fan_in, gain = √(2/(1+a²)).</summary>
    public static Tensor KaimingNormal(Shape shape, float a = 0f, Random? rng = null) =>
        Normal(shape, Gain(a) / MathF.Sqrt(Fans(shape).FanIn), rng);

    /// <summary>U(−b, b) with b = gain·√(6/(fan_in+fan_out)).</summary>
    public static Tensor XavierUniform(Shape shape, float gain = 1f, Random? rng = null)
    {
        var (fanIn, fanOut) = Fans(shape);
        float bound = gain * MathF.Sqrt(6f / (fanIn + fanOut));
        return Uniform(shape, -bound, bound, rng);
    }

    /// <summary>N(0, std²) with std = gain·√(2/(fan_in+fan_out)).</summary>
    public static Tensor XavierNormal(Shape shape, float gain = 1f, Random? rng = null)
    {
        var (fanIn, fanOut) = Fans(shape);
        return Normal(shape, gain * MathF.Sqrt(2f / (fanIn + fanOut)), rng);
    }

    /// <summary>Zeros.</summary>
    public static Tensor Zeros(Shape shape) => Tensor.Zeros(shape);

    /// <summary>Ones.</summary>
    public static Tensor Ones(Shape shape) => Tensor.Ones(shape);

    /// <summary>U(low, high).</summary>
    public static Tensor Uniform(Shape shape, float low, float high, Random? rng = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (rng is not null) return Tensor.Rand(shape, rng, low, high);
        lock (Gate) return Tensor.Rand(shape, generator, low, high);
    }

    /// <summary>N(0, std²).</summary>
    public static Tensor Normal(Shape shape, float std, Random? rng = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        Tensor sample;
        if (rng is not null) sample = Tensor.Randn(shape, rng);
        else lock (Gate) sample = Tensor.Randn(shape, generator);
        var data = sample.AsSpan();
        for (int i = 0; i < data.Length; i++) data[i] *= std;
        return sample;
    }

    /// <summary>PyTorch's default for Linear and Conv weights: KaimingUniform with a = √5, i.e. U(±1/√fan_in).</summary>
    public static Tensor DefaultWeight(Shape shape, Random? rng = null) => KaimingUniform(shape, MathF.Sqrt(5f), rng);

    /// <summary>PyTorch's default for Linear and Conv biases: U(±1/√fan_in) of the weight's fan_in.</summary>
    public static Tensor DefaultBias(int size, int fanIn, Random? rng = null)
    {
        float bound = fanIn > 0 ? 1f / MathF.Sqrt(fanIn) : 0f;
        return Uniform(new Shape(size), -bound, bound, rng);
    }

    private static float Gain(float a) => MathF.Sqrt(2f / (1f + a * a));
}
