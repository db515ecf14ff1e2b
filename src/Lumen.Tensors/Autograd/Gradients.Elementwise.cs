namespace Lumen.Tensors.Autograd;

/// <summary>Backward rules of the unary elementwise primitives (x the input, y the output, g dL/dy).</summary>
public static partial class Gradients
{
    private const float TwoOverSqrtPi = 1.1283791670955126f;
    private const float InvSqrt2Pi = 0.3989422804014327f;

    // d eˣ = g·y
    internal static BackwardRule ExpRule(Tensor y) => (g, needs) => [g * y];

    // d ln x = g/x
    internal static BackwardRule LogRule(Tensor x) => (g, needs) => [g / x];

    // d tanh = g·(1 − y²)
    internal static BackwardRule TanhRule(Tensor y) => (g, needs) => [g * (1f - y * y)];

    // d σ = g·y·(1 − y)
    internal static BackwardRule SigmoidRule(Tensor y) => (g, needs) => [g * y * (1f - y)];

    // d erf = g·2/√π·e^(−x²)
    internal static BackwardRule ErfRule(Tensor x) => (g, needs) => [g * (x * x).Neg().Exp() * TwoOverSqrtPi];

    // d(x·Φ(x)) = g·(Φ(x) + x·φ(x)),  Φ = ½(1 + erf(x/√2)),  φ = e^(−x²/2)/√(2π)
    internal static BackwardRule GeluRule(Tensor x) => (g, needs) =>
    {
        var cdf = ((x * Kernels.GeluOperator.InvSqrt2).Erf() + 1f) * 0.5f;
        var pdf = (x * x * -0.5f).Exp() * InvSqrt2Pi;
        return [g * (cdf + x * pdf)];
    };

    // u = √(2/π)(x + c·x³), t = tanh u:  d(½x(1+t)) = g·(½(1+t) + ½x(1−t²)·√(2/π)(1 + 3c·x²))
    internal static BackwardRule GeluTanhRule(Tensor x) => (g, needs) =>
    {
        const float k = Kernels.GeluTanhOperator.Sqrt2OverPi, c = Kernels.GeluTanhOperator.Cubic;
        var x2 = x * x;
        var t = ((x2 * c + 1f) * x * k).Tanh();
        var du = (x2 * (3f * c) + 1f) * k;
        return [g * ((t + 1f) * 0.5f + x * 0.5f * (1f - t * t) * du)];
    };

    // d(x·σ(x)) = g·σ(x)·(1 + x·(1 − σ(x)))
    internal static BackwardRule SiluRule(Tensor x) => (g, needs) =>
    {
        var s = x.Sigmoid();
        return [g * s * (x * (1f - s) + 1f)];
    };

    // d softplus = g·σ(x)
    internal static BackwardRule SoftplusRule(Tensor x) => (g, needs) => [g * x.Sigmoid()];

    // d √x = g/(2y)
    internal static BackwardRule SqrtRule(Tensor y) => (g, needs) => [g * 0.5f / y];

    // d x^(−½) = −½·g·y³
    internal static BackwardRule RsqrtRule(Tensor y) => (g, needs) => [g * y * y * y * -0.5f];

    // d(1/x) = −g·y²
    internal static BackwardRule ReciprocalRule(Tensor y) => (g, needs) => [(g * y * y).Neg()];

    // d|x| = g·sign(x)
    internal static BackwardRule AbsRule(Tensor x) => (g, needs) => [g * x.Detach().Sign()];

    // d sin = g·cos x,  d cos = −g·sin x
    internal static BackwardRule SinRule(Tensor x) => (g, needs) => [g * x.Cos()];

    internal static BackwardRule CosRule(Tensor x) => (g, needs) => [(g * x.Sin()).Neg()];

    // d relu = g where x > 0, else 0
    internal static BackwardRule ReluRule(Tensor x) => (g, needs) =>
        [GradMode.IsEnabled
            ? Tensor.Where(x.Detach().Greater(0f), g, Tensor.Scalar(0f))                     // differentiable in g (create-graph)
            : Masked(x, g, static (xs, gs, d) => Kernels.GradientMasks.Positive(xs, gs, d))];

    // d leaky_relu = g where x > 0, else α·g
    internal static BackwardRule LeakyReluRule(Tensor x, float alpha) => (g, needs) =>
        [GradMode.IsEnabled
            ? Tensor.Where(x.Detach().Greater(0f), g, g * alpha)                              // differentiable in g (create-graph)
            : Masked(x, g, (xs, gs, d) => Kernels.LeakyRectifier.Backward(xs, gs, alpha, d))];

    // d clamp = g where min ≤ x ≤ max, else 0
    internal static BackwardRule ClampRule(Tensor x, float? min, float? max) => (g, needs) =>
    {
        if (min is null && max is null) return [g];
        if (!GradMode.IsEnabled)
        {
            float lo = min ?? float.NegativeInfinity, hi = max ?? float.PositiveInfinity;
            return [Masked(x, g, (xs, gs, dst) => Kernels.GradientMasks.Clamp(xs, gs, lo, hi, dst))];
        }
        var d = x.Detach();                                                                  // differentiable in g (create-graph)
        Tensor? inside = min is { } l ? d.GreaterEqual(l) : null;
        if (max is { } h) inside = inside is null ? d.LessEqual(h) : inside.And(d.LessEqual(h));
        return [Tensor.Where(inside!, g, Tensor.Scalar(0f))];
    };

    /// <summary>A fused masked-gradient kernel applied to x and g (same shape), in parallel over blocks: in place when
    /// g is the engine's free gradient (nothing else reads it afterwards; the kernels read g[i] before writing d[i]),
    /// else into a new tensor.</summary>
    private static Tensor Masked(Tensor x, Tensor g, MaskKernel kernel)
    {
        var destination = IsFree(g) ? g.Floats : GradientStorage.Rent(x.Size, overwrite: true);
        float[] xs = x.Floats, gs = g.Floats;
        int size = x.Size, blocks = (size + MaskBlock - 1) / MaskBlock;
        Parallelism.For(blocks, MaskBlock, (start, end) =>
        {
            int from = start * MaskBlock, length = Math.Min(size, end * MaskBlock) - from;
            kernel(xs.AsSpan(from, length), gs.AsSpan(from, length), destination.AsSpan(from, length));
        });
        return Fresh(ReferenceEquals(destination, gs) ? g : new Tensor(x.Shape, destination));
    }

    private const int MaskBlock = 1 << 14;

    private delegate void MaskKernel(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> destination);

    // piecewise-constant ops (sign, floor, ceil, round): zero gradient
    internal static BackwardRule ZeroRule(Shape shape) => (g, needs) => [Tensor.Zeros(shape)];

    // d where(c, a, b) = (g where c, else 0) summed to a's shape; (g where not c) summed to b's shape
    internal static BackwardRule WhereRule(Tensor condition, Shape a, Shape b) => (g, needs) =>
    {
        var zero = Tensor.Scalar(0f);
        return
        [
            needs[0] ? Tensor.Where(condition, g, zero).SumTo(a) : null,
            needs[1] ? Tensor.Where(condition, zero, g).SumTo(b) : null,
        ];
    };
}
