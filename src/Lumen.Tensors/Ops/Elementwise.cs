using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors;

/// <summary>Unary elementwise math and activations. Primitives run a SIMD kernel and record a backward rule
/// (<c>Gradients.Elementwise.cs</c>); the rest are compositions of primitives.</summary>
public sealed partial class Tensor
{
    /// <summary>eˣ.</summary>
    public Tensor Exp() { var y = Unary<ExpOperator>("Exp"); return Gradients.Record(y, "Exp", Gradients.ExpRule(y), this); }

    /// <summary>Natural logarithm (−∞ at 0, NaN below).</summary>
    public Tensor Log() => Gradients.Record(Unary<LogOperator>("Log"), "Log", Gradients.LogRule(this), this);

    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh() { var y = Unary<TanhOperator>("Tanh"); return Gradients.Record(y, "Tanh", Gradients.TanhRule(y), this); }

    /// <summary>Logistic sigmoid σ(x) = 1 / (1 + e^(−x)).</summary>
    public Tensor Sigmoid() { var y = Unary<SigmoidOperator>("Sigmoid"); return Gradients.Record(y, "Sigmoid", Gradients.SigmoidRule(y), this); }

    /// <summary>The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt (absolute error below 1e-6).</summary>
    public Tensor Erf() => Gradients.Record(Unary<ErfOperator>("Erf"), "Erf", Gradients.ErfRule(this), this);

    /// <summary>Gaussian error linear unit (<see href="https://arxiv.org/abs/1606.08415">Hendrycks &amp; Gimpel</see>).</summary>
    /// <remarks>Exact: x·Φ(x) = ½x(1 + erf(x/√2)). With <paramref name="approximate"/>:
    /// ½x(1 + tanh(√(2/π)(x + 0.044715x³))).</remarks>
    public Tensor Gelu(bool approximate = false) => approximate
        ? Gradients.Record(Unary<GeluTanhOperator>("Gelu"), "Gelu", Gradients.GeluTanhRule(this), this)
        : Gradients.Record(Unary<GeluOperator>("Gelu"), "Gelu", Gradients.GeluRule(this), this);

    /// <summary>Sigmoid linear unit (swish): x·σ(x).</summary>
    public Tensor Silu() => Gradients.Record(Unary<SiluOperator>("Silu"), "Silu", Gradients.SiluRule(this), this);

    /// <summary>Softplus ln(1 + eˣ), computed stably.</summary>
    public Tensor Softplus() => Gradients.Record(Unary<SoftplusOperator>("Softplus"), "Softplus", Gradients.SoftplusRule(this), this);

    /// <summary>Mish: x·tanh(softplus(x)) (<see href="https://arxiv.org/abs/1908.08681">Misra</see>).</summary>
    public Tensor Mish() => this * Softplus().Tanh();

    /// <summary>Square root.</summary>
    public Tensor Sqrt() { var y = Unary<SqrtOperator>("Sqrt"); return Gradients.Record(y, "Sqrt", Gradients.SqrtRule(y), this); }

    /// <summary>Reciprocal square root 1/√x.</summary>
    public Tensor Rsqrt() { var y = Unary<RsqrtOperator>("Rsqrt"); return Gradients.Record(y, "Rsqrt", Gradients.RsqrtRule(y), this); }

    /// <summary>1/x.</summary>
    public Tensor Reciprocal() { var y = Unary<ReciprocalOperator>("Reciprocal"); return Gradients.Record(y, "Reciprocal", Gradients.ReciprocalRule(y), this); }

    /// <summary>|x| (gradient sign(x), 0 at 0). Int64 tensors are supported without autograd.</summary>
    public Tensor Abs()
    {
        if (DType == DType.Int64) return MapInt64(static v => Math.Abs(v));
        return Gradients.Record(Unary<AbsOperator>("Abs"), "Abs", Gradients.AbsRule(this), this);
    }

    /// <summary>−1, 0 or +1 by the sign of x (zero gradient). Int64 tensors are supported.</summary>
    public Tensor Sign()
    {
        if (DType == DType.Int64) return MapInt64(static v => Math.Sign(v));
        return Gradients.Record(Unary<SignOperator>("Sign"), "Sign", Gradients.ZeroRule(Shape), this);
    }

    /// <summary>Sine (radians).</summary>
    public Tensor Sin() => Gradients.Record(Unary<SinOperator>("Sin"), "Sin", Gradients.SinRule(this), this);

    /// <summary>Cosine (radians).</summary>
    public Tensor Cos() => Gradients.Record(Unary<CosOperator>("Cos"), "Cos", Gradients.CosRule(this), this);

    /// <summary>Largest integer ≤ x (zero gradient).</summary>
    public Tensor Floor() => Gradients.Record(Unary<FloorOperator>("Floor"), "Floor", Gradients.ZeroRule(Shape), this);

    /// <summary>Smallest integer ≥ x (zero gradient).</summary>
    public Tensor Ceil() => Gradients.Record(Unary<CeilOperator>("Ceil"), "Ceil", Gradients.ZeroRule(Shape), this);

    /// <summary>Nearest integer, halves to even (zero gradient).</summary>
    public Tensor Round() => Gradients.Record(Unary<RoundOperator>("Round"), "Round", Gradients.ZeroRule(Shape), this);

    /// <summary>Rectified linear unit max(x, 0) (gradient 0 at 0).</summary>
    public Tensor Relu() => Gradients.Record(Unary<ReluOperator>("Relu"), "Relu", Gradients.ReluRule(this), this);

    /// <summary>Leaky ReLU: x for x &gt; 0, αx otherwise.</summary>
    public Tensor LeakyRelu(float alpha = 0.01f) =>
        Gradients.Record(Map("LeakyRelu", (x, d) => Kernels.LeakyRectifier.Forward(x, alpha, d)), "LeakyRelu", Gradients.LeakyReluRule(this, alpha), this);

    /// <summary>Exponential linear unit: x for x &gt; 0, α(eˣ − 1) otherwise
    /// (<see href="https://arxiv.org/abs/1511.07289">Clevert et al.</see>).</summary>
    public Tensor Elu(float alpha = 1f) => Where(Greater(0f), this, (Clamp(max: 0f).Exp() - 1f) * alpha);

    /// <summary>Hard sigmoid: clamp(αx + β, 0, 1) (ONNX defaults α = 0.2, β = 0.5; PyTorch uses α = 1/6).</summary>
    public Tensor HardSigmoid(float alpha = 0.2f, float beta = 0.5f) => (this * alpha + beta).Clamp(0f, 1f);

    /// <summary>Hard swish: x·clamp(x/6 + ½, 0, 1) (<see href="https://arxiv.org/abs/1905.02244">Howard et al.</see>).</summary>
    public Tensor HardSwish() => this * HardSigmoid(1f / 6f, 0.5f);

    /// <summary>Clamps into [min, max] (either bound may be omitted); the gradient is 1 inside the closed
    /// interval and 0 outside. ReLU6 is <c>Clamp(0, 6)</c>. Int64 tensors are supported without autograd.</summary>
    public Tensor Clamp(float? min = null, float? max = null)
    {
        RequireOrderedBounds(min, max);
        if (DType == DType.Int64)
            return MapInt64(v => Math.Min(Math.Max(v, min is { } a ? (long)Math.Ceiling(a) : long.MinValue), max is { } b ? (long)Math.Floor(b) : long.MaxValue));
        return Gradients.Record(Map("Clamp", (x, d) => ClampInto(x, d, min, max)), "Clamp", Gradients.ClampRule(this, min, max), this);
    }

    private void RequireOrderedBounds(float? min, float? max)
    {
        if (min is { } lo && max is { } hi && lo > hi) throw new ArgumentException($"Clamp: min {lo} is greater than max {hi} (shape {Shape}).");
    }

    /// <summary>d = clamp(x, min, max), in one pass.</summary>
    private static void ClampInto(ReadOnlySpan<float> x, Span<float> d, float? min, float? max)
    {
        if (min is null && max is null) x.CopyTo(d);
        else ClampKernel.Apply(x, min ?? float.NegativeInfinity, max ?? float.PositiveInfinity, d);
    }

    private delegate void SpanMap(ReadOnlySpan<float> x, Span<float> destination);

    /// <summary>Runs an elementwise float kernel over this tensor, in blocks across threads, into a new tensor of this shape.</summary>
    private Tensor Map(string op, SpanMap kernel)
    {
        RequireFloat(op);
        var x = Floats;
        var data = StoragePool.NewFloats(Size, overwrite: true);
        Kernels.Unary.InBlocks(Size, (from, count) => kernel(x.AsSpan(from, count), data.AsSpan(from, count)));
        return new Tensor(Shape, data);
    }

    /// <summary>Runs a unary float kernel into a new tensor of this shape.</summary>
    private Tensor Unary<TOp>(string op) where TOp : IUnaryOperator
    {
        RequireFloat(op);
        var data = StoragePool.NewFloats(Size, overwrite: true);
        Kernels.Unary.Apply<TOp>(Floats, data, Size);
        return new Tensor(Shape, data);
    }

    private Tensor MapInt64(Func<long, long> f)
    {
        var src = AsInt64Span();
        var data = new long[Size];
        for (int i = 0; i < data.Length; i++) data[i] = f(src[i]);
        return new Tensor(Shape, data);
    }
}
