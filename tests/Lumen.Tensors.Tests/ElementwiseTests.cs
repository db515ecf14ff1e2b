using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

public class ElementwiseTests
{
    /// <summary>An op under test: the tensor op, a double-precision reference, the input domain and its kinks.</summary>
    private sealed record UnaryCase(Func<Tensor, Tensor> Op, Func<double, double> Reference, float Low = -3f, float High = 3f, float[]? Kinks = null);

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
    private static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    private static readonly Dictionary<string, UnaryCase> Cases = new()
    {
        ["Exp"] = new(x => x.Exp(), Math.Exp),
        ["Log"] = new(x => x.Log(), Math.Log, 0.2f, 4f),
        ["Tanh"] = new(x => x.Tanh(), Math.Tanh),
        ["Sigmoid"] = new(x => x.Sigmoid(), Sigmoid),
        ["Erf"] = new(x => x.Erf(), ReferenceMath.Erf),
        ["Gelu"] = new(x => x.Gelu(), x => 0.5 * x * (1 + ReferenceMath.Erf(x / Math.Sqrt(2)))),
        ["GeluTanh"] = new(x => x.Gelu(approximate: true), x => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)))),
        ["Silu"] = new(x => x.Silu(), x => x * Sigmoid(x)),
        ["Softplus"] = new(x => x.Softplus(), Softplus, -20f, 20f),
        ["Mish"] = new(x => x.Mish(), x => x * Math.Tanh(Softplus(x))),
        ["Sqrt"] = new(x => x.Sqrt(), Math.Sqrt, 0.2f, 4f),
        ["Rsqrt"] = new(x => x.Rsqrt(), x => 1 / Math.Sqrt(x), 0.2f, 4f),
        ["Reciprocal"] = new(x => x.Reciprocal(), x => 1 / x, 0.3f, 4f),
        ["Abs"] = new(x => x.Abs(), Math.Abs, Kinks: [0f]),
        ["Neg"] = new(x => x.Neg(), x => -x),
        ["Sin"] = new(x => x.Sin(), Math.Sin),
        ["Cos"] = new(x => x.Cos(), Math.Cos),
        ["Relu"] = new(x => x.Relu(), x => Math.Max(x, 0), Kinks: [0f]),
        ["LeakyRelu"] = new(x => x.LeakyRelu(0.1f), x => x > 0 ? x : 0.1 * x, Kinks: [0f]),
        ["Elu"] = new(x => x.Elu(0.7f), x => x > 0 ? x : 0.7 * (Math.Exp(x) - 1), -4f, 40f, Kinks: [0f]),
        ["HardSigmoid"] = new(x => x.HardSigmoid(), x => Math.Clamp(0.2 * x + 0.5, 0, 1), -4f, 4f, Kinks: [-2.5f, 2.5f]),
        ["HardSwish"] = new(x => x.HardSwish(), x => x * Math.Clamp(x / 6 + 0.5, 0, 1), -5f, 5f, Kinks: [-3f, 3f]),
        ["Clamp"] = new(x => x.Clamp(-0.5f, 1f), x => Math.Clamp(x, -0.5, 1), Kinks: [-0.5f, 1f]),
        ["ClampMin"] = new(x => x.Clamp(min: 0.25f), x => Math.Max(x, 0.25), Kinks: [0.25f]),
        ["Relu6"] = new(x => x.Clamp(0f, 6f), x => Math.Clamp(x, 0, 6), -3f, 9f, Kinks: [0f, 6f]),
    };

    public static IEnumerable<object[]> CasesAtEveryLength() =>
        from name in Cases.Keys from n in Enumerable.Range(0, 65) select new object[] { name, n };

    /// <summary>Uniform values in the case's domain, pushed at least 0.1 away from its kinks (FD step is 0.01).</summary>
    private static Tensor Input(UnaryCase c, Shape shape, int seed)
    {
        var t = Tensor.Rand(shape, seed, c.Low, c.High);
        var v = t.AsSpan();
        for (int i = 0; i < v.Length; i++)
            foreach (var k in c.Kinks ?? [])
                if (MathF.Abs(v[i] - k) < 0.1f) v[i] += v[i] >= k ? 0.1f : -0.1f;
        return t;
    }

    [Theory]
    [MemberData(nameof(CasesAtEveryLength))]
    public void Unary_op_matches_double_reference_and_finite_differences(string name, int n)
    {
        var c = Cases[name];
        var x = Input(c, new Shape(n), seed: n * 31 + name.Length);
        var y = c.Op(x).ToArray();
        Assert.Equal(n, y.Length);
        var xs = x.ToArray();
        for (int i = 0; i < n; i++)
        {
            double expected = c.Reference(xs[i]);
            if (Math.Abs(y[i] - expected) > 2e-6 + 2e-6 * Math.Abs(expected))
                Assert.Fail($"{name}({xs[i]}) = {y[i]}, reference {expected}.");
        }
        GradCheck.Assert(t => c.Op(t[0]), [x]);
    }

    [Theory]
    [InlineData("Gelu")]
    [InlineData("Tanh")]
    [InlineData("Mish")]
    [InlineData("Clamp")]
    [InlineData("Softplus")]
    public void Unary_op_gradients_hold_on_odd_shapes_and_large_parallel_inputs(string name)
    {
        var c = Cases[name];
        GradCheck.Assert(t => c.Op(t[0]), [Input(c, new Shape(3, 1, 5), 3)]);
        GradCheck.Assert(t => c.Op(t[0]), [Input(c, new Shape(), 4)]);
        var big = Input(c, new Shape(70_001), 5);
        var y = c.Op(big).ToArray();
        var xs = big.ToArray();
        for (int i = 0; i < xs.Length; i += 997)
            Assert.True(Math.Abs(y[i] - c.Reference(xs[i])) < 1e-5 + 1e-5 * Math.Abs(y[i]), $"{name} at {i}");
    }

    [Fact]
    public void Erf_is_within_1e6_of_double_precision_everywhere_and_vector_path_matches_scalar_twin()
    {
        var values = new List<float>();
        for (float v = -8f; v <= 8f; v += 0.000731f) values.Add(v);
        values.AddRange([0f, -0f, 1e-20f, -1e-8f, 0.99999f, 1f, 1.00001f, -1f, float.MaxValue, float.MinValue, float.PositiveInfinity, float.NegativeInfinity]);
        var x = values.ToArray();
        var fast = new float[x.Length];
        ErfOperator.Invoke(x, fast);
        double worst = 0;
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Math.Abs(ErfOperator.Invoke(x[i]) - fast[i]) <= 2e-7, $"erf({x[i]}): vector {fast[i]}, scalar {ErfOperator.Invoke(x[i])}");
            worst = Math.Max(worst, Math.Abs(fast[i] - ReferenceMath.Erf(x[i])));
        }
        Assert.True(worst < 1e-6, $"worst erf error {worst}");
        var nan = new float[17];
        Array.Fill(nan, float.NaN);
        ErfOperator.Invoke(nan, nan);
        Assert.All(nan, v => Assert.True(float.IsNaN(v)));
        // near zero the series keeps relative accuracy
        Assert.Equal(1e-8 * 2 / Math.Sqrt(Math.PI), Tensor.FromArray([1e-8f]).Erf().Item(), 1e-14);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(64)]
    public void Unary_kernels_match_their_scalar_twins(int n)
    {
        var x = Tensor.Randn(new Shape(n), n).AsReadOnlySpan().ToArray();
        Check<ExpOperator>(x); Check<TanhOperator>(x); Check<SigmoidOperator>(x); Check<SiluOperator>(x);
        Check<SoftplusOperator>(x); Check<GeluOperator>(x); Check<GeluTanhOperator>(x); Check<ReluOperator>(x);
        Check<SignOperator>(x); Check<RoundOperator>(x); Check<FloorOperator>(x); Check<CeilOperator>(x);

        static void Check<TOp>(float[] x) where TOp : IUnaryOperator
        {
            var fast = new float[x.Length];
            var naive = new float[x.Length];
            TOp.Invoke(x, fast);
            Unary.ApplyNaive<TOp>(x, naive);
            GradCheck.Close(naive, fast, 2e-6f, 2e-6f);
        }
    }

    [Fact]
    public void Piecewise_constant_ops_have_exact_values_and_zero_gradient()
    {
        var x = Tensor.FromArray([-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 0.2f, -0.7f, 0f]).RequireGrad();
        Assert.Equal(new[] { -2f, -2f, -0f, 0f, 2f, 2f, 0f, -1f, 0f }, x.Round().ToArray());
        Assert.Equal(new[] { -3f, -2f, -1f, 0f, 1f, 2f, 0f, -1f, 0f }, x.Floor().ToArray());
        Assert.Equal(new[] { -2f, -1f, -0f, 1f, 2f, 3f, 1f, -0f, 0f }, x.Ceil().ToArray());
        Assert.Equal(new[] { -1f, -1f, -1f, 1f, 1f, 1f, 1f, -1f, 0f }, x.Sign().ToArray());
        foreach (var op in new Func<Tensor, Tensor>[] { t => t.Round(), t => t.Floor(), t => t.Ceil(), t => t.Sign() })
            Assert.All(Gradients.Of((op(x) * x).Sum(), x).ToArray().Zip(x.ToArray().Select(v => op(Tensor.Scalar(v)).Item())), p => Assert.Equal(p.Second, p.First));
    }

    [Fact]
    public void Relu_gradient_is_zero_at_zero_and_nan_propagates()
    {
        var x = Tensor.FromArray([-1f, 0f, 2f, float.NaN]).RequireGrad();
        var y = x.Relu();
        Assert.Equal(new[] { 0f, 0f, 2f }, y.ToArray()[..3]);
        Assert.True(float.IsNaN(y.ToArray()[3]));
        Assert.Equal(new[] { 0f, 0f, 1f, 0f }, Gradients.Of(y.Sum(), x).ToArray());
    }

    [Fact]
    public void Elu_does_not_produce_nan_gradients_for_large_inputs()
    {
        var x = Tensor.FromArray([100f, 200f, -1f]).RequireGrad();
        var g = Gradients.Of(x.Elu().Sum(), x).ToArray();
        Assert.Equal(1f, g[0]);
        Assert.Equal(1f, g[1]);
        Assert.Equal(MathF.Exp(-1f), g[2], 5);
    }

    [Fact]
    public void Softplus_is_stable_for_extreme_inputs()
    {
        var y = Tensor.FromArray([100f, -100f, 0f]).Softplus().ToArray();
        Assert.Equal(100f, y[0]);
        Assert.Equal(0f, y[1], 6);
        Assert.Equal(MathF.Log(2f), y[2], 6);
    }

    [Fact]
    public void Int64_abs_sign_and_clamp_work_without_autograd()
    {
        var x = Tensor.FromArray(new long[] { -5, 0, 7 });
        Assert.Equal(new long[] { 5, 0, 7 }, x.Abs().ToInt64Array());
        Assert.Equal(new long[] { -1, 0, 1 }, x.Sign().ToInt64Array());
        Assert.Equal(new long[] { -2, 0, 3 }, x.Clamp(-2, 3).ToInt64Array());
    }

    [Fact]
    public void Bad_inputs_name_the_op()
    {
        var ints = Tensor.FromArray(new long[] { 1, 2 });
        Assert.Contains("Exp", Assert.Throws<ArgumentException>(() => ints.Exp()).Message);
        Assert.Contains("Gelu", Assert.Throws<ArgumentException>(() => ints.Gelu()).Message);
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2).Clamp(1f, 0f));
        Assert.Contains("Clamp", ex.Message);
        Assert.Contains("[2]", ex.Message);
    }

    [Fact]
    public void Second_order_gradient_of_tanh_matches_the_closed_form()
    {
        var x = Tensor.FromArray([0.3f, -1.2f]).RequireGrad();
        var dy = Gradients.Of([x.Tanh().Sum()], [x], createGraph: true)[0];
        var d2 = Gradients.Of(dy.Sum(), x).ToArray();
        for (int i = 0; i < 2; i++)
        {
            double t = Math.Tanh(x.ToArray()[i]);
            Assert.Equal(-2 * t * (1 - t * t), d2[i], 5);
        }
    }
}
