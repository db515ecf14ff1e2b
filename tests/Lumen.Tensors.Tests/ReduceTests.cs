using Lumen.Tensors.Autograd;
using Lumen.Tensors.Kernels;

namespace Lumen.Tensors.Tests;

public class ReduceTests
{
    public static IEnumerable<object[]> Lengths() => Enumerable.Range(0, 65).Select(n => new object[] { n });

    public static IEnumerable<object[]> ShapesAndAxes() =>
    [
        [new[] { 2, 3, 4 }, new[] { 1 }],
        [new[] { 2, 3, 4 }, new[] { 0, 2 }],
        [new[] { 2, 3, 4 }, new[] { -1 }],
        [new[] { 2, 3, 4 }, new[] { 0, 1 }],
        [new[] { 3, 1, 5, 2 }, new[] { 1, 3 }],
        [new[] { 5, 7 }, new int[0]],
        [new[] { 17, 33 }, new[] { 0 }],
        [new int[0], new int[0]],
    ];

    /// <summary>Distinct values (a shuffled ramp with 0.05 spacing) so max/min have no ties within FD steps.</summary>
    private static Tensor Distinct(Shape shape, int seed)
    {
        var rng = new Random(seed);
        var values = Enumerable.Range(0, shape.Size).Select(i => (i - shape.Size / 2) * 0.05f + 0.5f).OrderBy(_ => rng.Next()).ToArray();
        return Tensor.FromArray(values).Reshape(shape.ToArray()).Detach();
    }

    [Theory]
    [MemberData(nameof(ShapesAndAxes))]
    public void Reductions_match_naive_twin_and_finite_differences(int[] dims, int[] axes)
    {
        var shape = new Shape(dims);
        var x = Distinct(shape, dims.Sum());
        var reduced = x.ReducedAxes(axes, "test");
        GradCheck.Close(Reduction.ReduceNaive<SumReducer>(x.AsReadOnlySpan(), shape, reduced), x.Sum(axes).AsReadOnlySpan(), 1e-5f, 1e-5f);
        GradCheck.Close(Reduction.ReduceNaive<MaxReducer>(x.AsReadOnlySpan(), shape, reduced), x.Max(axes).AsReadOnlySpan());
        GradCheck.Close(Reduction.ReduceNaive<MinReducer>(x.AsReadOnlySpan(), shape, reduced), x.Min(axes).AsReadOnlySpan());
        GradCheck.Close(Reduction.ReduceNaive<ProdReducer>(x.AsReadOnlySpan(), shape, reduced), x.Prod(axes).AsReadOnlySpan(), 1e-6f, 1e-5f);
        Assert.Equal(Tensor.ReducedShape(shape, reduced, keepDims: true), x.Mean(axes, keepDims: true).Shape);
        GradCheck.Assert(t => t[0].Mean(axes), [x]);
        GradCheck.Assert(t => t[0].Max(axes, keepDims: true), [x]);
        GradCheck.Assert(t => t[0].Min(axes), [x]);
        GradCheck.Assert(t => t[0].Prod(axes), [x]);
        GradCheck.Assert(t => t[0].LogSumExp(axes), [x]);
        if (shape.Size > 1) GradCheck.Assert(t => t[0].Var(axes), [x]);
        if (shape.Size > 1) GradCheck.Assert(t => t[0].Std(axes, correction: 0, keepDims: true), [x]);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Vector_reductions_are_correct_at_every_length(int n)
    {
        var x = Distinct(new Shape(n), n);
        var v = x.ToArray().Select(f => (double)f).ToArray();
        Assert.Equal(v.Sum(), x.Sum().Item(), 4);
        if (n == 0)
        {
            Assert.True(float.IsNaN(x.Mean().Item()));
            Assert.Equal(1f, x.Prod().Item());
            Assert.Throws<ArgumentException>(() => x.Max());
            return;
        }
        Assert.Equal(v.Average(), x.Mean().Item(), 5);
        Assert.Equal(v.Max(), x.Max().Item(), 6);
        Assert.Equal(v.Min(), x.Min().Item(), 6);
        Assert.Equal(Array.IndexOf(v, v.Max()), x.ArgMax().ToInt64Array()[0]);
        Assert.Equal(Array.IndexOf(v, v.Min()), x.ArgMin().ToInt64Array()[0]);
        double m = v.Max();
        Assert.Equal(m + Math.Log(v.Sum(a => Math.Exp(a - m))), x.LogSumExp().Item(), 5);
        GradCheck.Assert(t => t[0].Sum() + t[0].Max() * 2f + t[0].LogSumExp(), [x]);
    }

    [Fact]
    public void Max_and_min_split_the_gradient_evenly_between_ties()
    {
        var x = Tensor.FromArray([1f, 3f, 3f, 0f, 2f, 2f, 2f, 5f], 2, 4).RequireGrad();
        Assert.Equal(new[] { 0f, 0.5f, 0.5f, 0f, 0f, 0f, 0f, 1f }, Gradients.Of(x.Max(1).Sum(), x).ToArray());
        Assert.Equal(new[] { 0f, 0f, 0f, 1f, 1 / 3f, 1 / 3f, 1 / 3f, 0f }, Gradients.Of(x.Min(1).Sum(), x).ToArray());
        Assert.Equal(new[] { 0f, 0f, 0f, 0f, 0f, 0f, 0f, 1f }, Gradients.Of(x.Max(), x).ToArray());
    }

    [Fact]
    public void Prod_gradient_is_exact_with_zeros()
    {
        var x = Tensor.FromArray([2f, 0f, 3f, 0f, 0f, 5f, 4f, 1f, 2f], 3, 3).RequireGrad();
        Assert.Equal(new[] { 0f, 0f, 8f }, x.Prod(1).ToArray());
        // row 0 has one zero: only the zero gets the product of the others; row 1 has two zeros: all 0
        Assert.Equal(new[] { 0f, 6f, 0f, 0f, 0f, 0f, 2f, 8f, 4f }, Gradients.Of(x.Prod(1).Sum(), x).ToArray());
    }

    [Fact]
    public void ArgMax_and_ArgMin_handle_axes_ties_nan_and_keepdims()
    {
        var x = Tensor.FromArray([1f, 5f, 5f, 0f, 2f, 2f], 2, 3);
        Assert.Equal(new long[] { 1, 1 }, x.ArgMax(1).ToInt64Array());
        Assert.Equal(new long[] { 2, 2 }, x.ArgMax(1, selectLastIndex: true).ToInt64Array());
        Assert.Equal(new long[] { 1, 1, 1 }, x.ArgMin(0).ToInt64Array());
        Assert.Equal(new long[] { 0, 0 }, x.ArgMin(-1).ToInt64Array());
        Assert.Equal(new Shape(2, 1), x.ArgMax(1, keepDims: true).Shape);
        Assert.Equal(DType.Int64, x.ArgMax(1).DType);
        Assert.Equal(new long[] { 1 }, x.ArgMax().ToInt64Array());
        Assert.Equal(new Shape(1, 1), x.ArgMax(keepDims: true).Shape);
        Assert.Equal(new long[] { 1 }, Tensor.FromArray([1f, float.NaN, 9f]).ArgMax().ToInt64Array());
        Assert.Equal(new long[] { 0, 1, 0 }, Tensor.FromArray(new long[] { 1, 5, 2, 0, 7, 1 }, 2, 3).ArgMax(0).ToInt64Array());
    }

    [Fact]
    public void Var_and_Std_match_double_reference_with_and_without_correction()
    {
        var x = Tensor.Randn(new Shape(4, 9), 3);
        var rows = Enumerable.Range(0, 4).Select(r => x.ToArray().Skip(r * 9).Take(9).Select(f => (double)f).ToArray()).ToArray();
        var var1 = x.Var(1).ToArray();
        var std0 = x.Std(1, correction: 0).ToArray();
        for (int r = 0; r < 4; r++)
        {
            double mean = rows[r].Average();
            double ss = rows[r].Sum(v => (v - mean) * (v - mean));
            Assert.Equal(ss / 8, var1[r], 5);
            Assert.Equal(Math.Sqrt(ss / 9), std0[r], 5);
        }
    }

    [Fact]
    public void LogSumExp_over_an_empty_axis_is_negative_infinity()
    {
        var x = Tensor.Zeros([2, 0, 4]);
        var y = x.LogSumExp([1], keepDims: true);
        Assert.Equal([2, 1, 4], y.Shape.ToArray());
        Assert.All(y.ToArray(), v => Assert.Equal(float.NegativeInfinity, v));
    }

    [Fact]
    public void LogSumExp_is_stable_for_large_and_infinite_inputs()
    {
        var x = Tensor.FromArray([1000f, 1000f, -1000f, float.NegativeInfinity, float.NegativeInfinity, 0f], 2, 3);
        var y = x.LogSumExp(1).ToArray();
        Assert.Equal(1000f + MathF.Log(2f), y[0], 3);
        Assert.Equal(0f, y[1], 6);
        Assert.Equal(float.NegativeInfinity, Tensor.FromArray([float.NegativeInfinity, float.NegativeInfinity]).LogSumExp().Item());
        var g = Gradients.Of(x.RequireGrad().LogSumExp(1).Sum(), x).ToArray();
        Assert.Equal(new[] { 0.5f, 0.5f, 0f, 0f, 0f, 1f }, g);
    }

    [Fact]
    public void Int64_reductions_support_shape_math()
    {
        var x = Tensor.FromArray(new long[] { 3, -1, 4, 1, 5, 9 }, 2, 3);
        Assert.Equal(new long[] { 6, 15 }, x.Sum(1).ToInt64Array());
        Assert.Equal(new long[] { 21 }, x.Sum().Reshape(1).ToInt64Array());
        Assert.Equal(new long[] { 3, 5, 9 }, x.Max(0).ToInt64Array());
        Assert.Equal(new long[] { -1, 1 }, x.Min(1).ToInt64Array());
        Assert.Equal(DType.Int64, x.Max().DType);
        Assert.Equal(new long[] { -12, 45 }, x.Prod(1).ToInt64Array());
        Assert.Equal(new long[] { 1, 1 }, Tensor.Zeros(2, 0).ToInt64().Prod(1).ToInt64Array());
    }

    [Fact]
    public void Large_reductions_run_in_parallel_and_match_the_naive_twin()
    {
        var shape = new Shape(64, 300, 17);
        var x = Tensor.Randn(shape, 9);
        foreach (var axes in new[] { new[] { 1 }, new[] { 2 }, new[] { 0, 2 } })
        {
            var reduced = x.ReducedAxes(axes, "test");
            GradCheck.Close(Reduction.ReduceNaive<SumReducer>(x.AsReadOnlySpan(), shape, reduced), x.Sum(axes).AsReadOnlySpan(), 1e-3f, 1e-4f);
            GradCheck.Close(Reduction.ReduceNaive<MaxReducer>(x.AsReadOnlySpan(), shape, reduced), x.Max(axes).AsReadOnlySpan());
        }
    }

    [Fact]
    public void Reduction_errors_name_the_op_axis_and_shape()
    {
        var x = Tensor.Zeros(2, 3);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => x.Mean(2));
        Assert.Contains("Mean", ex.Message);
        Assert.Contains("axis 2", ex.Message);
        var repeated = Assert.Throws<ArgumentException>(() => x.Max([1, -1]));
        Assert.Contains("Max", repeated.Message);
        Assert.Contains("[2, 3]", repeated.Message);
        var empty = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 0).Min(1));
        Assert.Contains("Min", empty.Message);
        Assert.Contains("[2, 0]", empty.Message);
        Assert.Contains("ArgMax", Assert.Throws<ArgumentOutOfRangeException>(() => x.ArgMax(-3)).Message);
        Assert.Contains("ArgMax", Assert.Throws<ArgumentException>(() => Tensor.FromArray([true]).ArgMax()).Message);
        Assert.Contains("Var", Assert.Throws<ArgumentException>(() => Tensor.FromArray(new long[] { 1 }).Var()).Message);
    }
}
