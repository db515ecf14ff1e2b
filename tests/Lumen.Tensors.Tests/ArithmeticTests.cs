using Lumen.Tensors.Autograd;

namespace Lumen.Tensors.Tests;

public class ArithmeticTests
{
    public static IEnumerable<object[]> Lengths() => Enumerable.Range(0, 65).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Binary_ops_match_scalar_loop_and_finite_differences_at_every_length(int n)
    {
        var a = Tensor.Randn(new Shape(n), seed: n);
        var b = Tensor.Rand(new Shape(n), seed: n + 100, low: 0.5f, high: 2f);
        var sum = (a + b).ToArray();
        var quotient = (a / b).ToArray();
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(a.AsReadOnlySpan()[i] + b.AsReadOnlySpan()[i], sum[i]);
            Assert.Equal(a.AsReadOnlySpan()[i] / b.AsReadOnlySpan()[i], quotient[i], 5);
        }
        GradCheck.Assert(x => x[0] * x[1] + x[0] / x[1] - x[1], [a, b]);
    }

    [Theory]
    [InlineData(new[] { 2, 3 }, new[] { 3 })]
    [InlineData(new[] { 2, 1, 4 }, new[] { 3, 1 })]
    [InlineData(new[] { 1 }, new[] { 5, 2 })]
    [InlineData(new[] { 3, 1, 5 }, new[] { 1, 7, 1 })]
    public void Broadcasting_gradients_sum_back_to_each_shape(int[] sa, int[] sb)
    {
        var a = Tensor.Randn(new Shape(sa), 1);
        var b = Tensor.Rand(new Shape(sb), 2, 0.5f, 1.5f);
        GradCheck.Assert(x => x[0] * x[1] + x[0] / x[1], [a, b]);
        // max/min have kinks: keep every a at least 0.125 away from every b so the differences stay on one side
        var qa = Quantize(a, 0.125f);
        var qb = Quantize(b, 0f);
        GradCheck.Assert(x => x[0].Maximum(x[1]), [qa, qb]);
        GradCheck.Assert(x => x[0].Minimum(x[1]), [qa, qb]);
    }

    private static Tensor Quantize(Tensor t, float offset) =>
        Tensor.FromArray(t.ToArray().Select(v => MathF.Round(v * 4) / 4 + offset).ToArray(), t.Shape.ToArray());

    [Fact]
    public void Broadcast_shapes_that_do_not_match_name_the_op_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3) + Tensor.Zeros(4));
        Assert.Contains("Add", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[4]", ex.Message);
    }

    [Fact]
    public void Pow_gradient_matches_finite_differences()
    {
        var a = Tensor.Rand(new Shape(3, 4), 3, 0.5f, 2f);
        var p = Tensor.Rand(new Shape(4), 4, 0.5f, 2f);
        GradCheck.Assert(x => x[0].Pow(x[1]), [a, p]);
    }

    [Fact]
    public void Int64_arithmetic_broadcasts_without_autograd()
    {
        var a = Tensor.FromArray(new long[] { 1, 2, 3, 4 }, 2, 2);
        var b = Tensor.FromArray(new long[] { 10, 20 }, 2);
        Assert.Equal(new long[] { 11, 22, 13, 24 }, (a + b).ToInt64Array());
        Assert.Equal(new long[] { 0, 0, 0, 0 }, (a / b).ToInt64Array());
    }

    [Fact]
    public void Gradients_of_does_not_mutate_and_backward_accumulates()
    {
        var x = Tensor.FromArray([1f, 2f, 3f]).RequireGrad();
        var y = (x * x).Sum();
        var g = Gradients.Of(y, x);
        Assert.Equal(new[] { 2f, 4f, 6f }, g.ToArray());
        Assert.Null(x.Grad);
        y.Backward();
        y.Backward();
        Assert.Equal(new[] { 4f, 8f, 12f }, x.Grad!.ToArray());
    }

    [Fact]
    public void Grad_mode_off_records_nothing()
    {
        var x = Tensor.FromArray([1f, 2f]).RequireGrad();
        using (GradMode.Off())
        {
            var y = x * x;
            Assert.False(y.RequiresGrad);
        }
        Assert.True((x * x).RequiresGrad);
    }

    [Fact]
    public void Gradient_flows_through_a_tensor_used_twice()
    {
        var x = Tensor.FromArray([3f]).RequireGrad();
        var y = x * x * x + x; // 3x² + 1 = 28
        Assert.Equal(28f, Gradients.Of(y, x).Item(), 4);
    }

    [Fact]
    public void Gradients_of_several_targets_do_not_alias_when_add_passes_one_gradient_to_both_inputs()
    {
        // z = t + r with t = 2r: Add hands the same gradient tensor to t and r, and r's later accumulation
        // (2 from t's backward) must not change the gradient stored for t.
        var x = Tensor.FromArray([1f, 2f]).RequireGrad();
        var r = x * 3f;
        var t = r * 2f;
        var z = (t + r).Sum();
        var grads = Gradients.Of(z, new[] { t, r });
        Assert.Equal([1f, 1f], grads[0].ToArray());
        Assert.Equal([3f, 3f], grads[1].ToArray());
        Assert.Equal([1f, 1f], Gradients.Of(z, t).ToArray());
        // the same after an accumulated (pass-owned) gradient is handed on by an Add: w = (t + r) + t
        var w = ((t + r) + t + r).Sum();
        var again = Gradients.Of(w, new[] { t, r });
        Assert.Equal([2f, 2f], again[0].ToArray());
        Assert.Equal([6f, 6f], again[1].ToArray());
    }
}
