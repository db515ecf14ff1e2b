using Lumen.Tensors.Autograd;

namespace Lumen.Tensors.Tests;

public class ComparisonTests
{
    public static IEnumerable<object[]> Lengths() => Enumerable.Range(0, 65).Select(n => new object[] { n });

    private static readonly (string Name, Func<Tensor, Tensor, Tensor> Op, Func<float, float, bool> Reference)[] Comparisons =
    [
        ("Equal", (a, b) => a.Equal(b), (x, y) => x == y),
        ("NotEqual", (a, b) => a.NotEqual(b), (x, y) => x != y),
        ("Less", (a, b) => a.Less(b), (x, y) => x < y),
        ("LessEqual", (a, b) => a.LessEqual(b), (x, y) => x <= y),
        ("Greater", (a, b) => a.Greater(b), (x, y) => x > y),
        ("GreaterEqual", (a, b) => a.GreaterEqual(b), (x, y) => x >= y),
    ];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Comparisons_match_scalar_reference_for_float_and_int64(int n)
    {
        // small integers so that ties occur
        var a = Tensor.Rand(new Shape(n), n, -3f, 3f).Round();
        var b = Tensor.Rand(new Shape(n), n + 50, -3f, 3f).Round();
        foreach (var (name, op, reference) in Comparisons)
        {
            var expected = a.ToArray().Zip(b.ToArray(), reference).ToArray();
            Assert.Equal(expected, op(a, b).ToBoolArray());
            Assert.Equal(expected, op(a.ToInt64(), b.ToInt64()).ToBoolArray());
            Assert.Equal(DType.Bool, op(a, b).DType);
            var vsScalar = a.ToArray().Select(x => reference(x, 1f)).ToArray();
            Assert.Equal(vsScalar, op(a, Tensor.Scalar(1f)).ToBoolArray());
        }
    }

    [Fact]
    public void Comparisons_broadcast_and_treat_nan_as_unordered()
    {
        var a = Tensor.FromArray([1f, 2f, float.NaN], 3, 1);
        var b = Tensor.FromArray([2f, float.NaN], 2);
        Assert.Equal(new Shape(3, 2), a.Less(b).Shape);
        Assert.Equal(new[] { true, false, false, false, false, false }, a.Less(b).ToBoolArray());
        Assert.Equal(new[] { true, true, false, true, true, true }, a.NotEqual(b).ToBoolArray());
        Assert.Equal(new[] { false, true, false }, a.Greater(1.5f).ToBoolArray());
        Assert.Equal(new[] { false, false, true }, a.IsNaN().ToBoolArray());
        Assert.Equal(new[] { true, false }, Tensor.FromArray(new long[] { 3, 4 }).Less(4).ToBoolArray());
    }

    [Fact]
    public void Comparison_errors_name_op_dtypes_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2).Less(Tensor.FromArray(new long[] { 1, 2 })));
        Assert.Contains("Less", ex.Message);
        Assert.Contains("Int64", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Equal(Tensor.Zeros(4)));
        Assert.Contains("Equal", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
        var bools = Tensor.FromArray([true, false]);
        Assert.Contains("Greater", Assert.Throws<ArgumentException>(() => bools.Greater(bools)).Message);
        Assert.Equal(new[] { true, true }, bools.Equal(bools).ToBoolArray());
        Assert.Contains("0.5", Assert.Throws<ArgumentException>(() => Tensor.FromArray(new long[] { 1 }).Less(0.5f)).Message);
    }

    [Fact]
    public void Logical_ops_broadcast_and_reject_non_bool()
    {
        var a = Tensor.FromArray([true, true, false, false], 2, 2);
        var b = Tensor.FromArray([true, false], 2);
        Assert.Equal(new[] { true, false, false, false }, a.And(b).ToBoolArray());
        Assert.Equal(new[] { true, true, true, false }, a.Or(b).ToBoolArray());
        Assert.Equal(new[] { false, true, true, false }, a.Xor(b).ToBoolArray());
        Assert.Equal(new[] { false, false, true, true }, a.Not().ToBoolArray());
        var ex = Assert.Throws<ArgumentException>(() => a.And(Tensor.Zeros(2)));
        Assert.Contains("And", ex.Message);
        Assert.Contains("Float32", ex.Message);
        Assert.Contains("Not", Assert.Throws<ArgumentException>(() => Tensor.Zeros(2).Not()).Message);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Where_selects_and_routes_gradients_at_every_length(int n)
    {
        var cond = Tensor.Randn(new Shape(n), n).Greater(0f);
        var a = Tensor.Randn(new Shape(n), n + 1);
        var b = Tensor.Randn(new Shape(n), n + 2);
        var y = Tensor.Where(cond, a, b).ToArray();
        var withScalarB = Tensor.Where(cond, a, Tensor.Scalar(0.5f)).ToArray();
        var withScalarA = Tensor.Where(cond, Tensor.Scalar(float.NaN), b).ToArray();
        var ints = Tensor.Where(cond, a.ToInt64(), Tensor.FromArray(new long[] { 7 })).ToInt64Array();
        for (int i = 0; i < n; i++)
        {
            bool c = cond.ToBoolArray()[i];
            Assert.Equal(c ? a.ToArray()[i] : b.ToArray()[i], y[i]);
            Assert.Equal(c ? a.ToArray()[i] : 0.5f, withScalarB[i]);
            Assert.Equal(c ? float.NaN : b.ToArray()[i], withScalarA[i]);
            Assert.Equal(c ? (long)a.ToArray()[i] : 7, ints[i]);
        }
        GradCheck.Assert(t => Tensor.Where(cond, t[0], t[1]) * t[0], [a, b]);
    }

    [Theory]
    [InlineData(new[] { 3, 1 }, new[] { 4 }, new[] { 1, 1 })]
    [InlineData(new[] { 2, 1, 5 }, new[] { 1, 3, 1 }, new[] { 5 })]
    [InlineData(new int[0], new[] { 2, 3 }, new[] { 3 })]
    public void Where_broadcasts_all_three_operands_and_sums_gradients_back(int[] c, int[] sa, int[] sb)
    {
        var cond = Tensor.Randn(new Shape(c), 5).Greater(0f);
        var a = Tensor.Randn(new Shape(sa), 6);
        var b = Tensor.Randn(new Shape(sb), 7);
        var shape = Shape.Broadcast(Shape.Broadcast(cond.Shape, a.Shape, "t"), b.Shape, "t");
        Assert.Equal(shape, Tensor.Where(cond, a, b).Shape);
        GradCheck.Assert(t => Tensor.Where(cond, t[0], t[1]), [a, b]);
    }

    [Fact]
    public void Where_supports_int64_and_reports_bad_inputs()
    {
        var cond = Tensor.FromArray([true, false, true]);
        var y = Tensor.Where(cond, Tensor.FromArray(new long[] { 1, 2, 3 }), Tensor.FromArray(new long[] { -1 }));
        Assert.Equal(new long[] { 1, -1, 3 }, y.ToInt64Array());
        Assert.Contains("condition", Assert.Throws<ArgumentException>(() => Tensor.Where(Tensor.Zeros(3), Tensor.Zeros(3), Tensor.Zeros(3))).Message);
        Assert.Contains("dtypes", Assert.Throws<ArgumentException>(() => Tensor.Where(cond, Tensor.Zeros(3), Tensor.FromArray(new long[] { 1 }))).Message);
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Where(cond, Tensor.Zeros(2), Tensor.Zeros(3)));
        Assert.Contains("Where", ex.Message);
        Assert.Contains("[2]", ex.Message);
    }

    [Fact]
    public void Where_masks_the_gradient_instead_of_multiplying_so_infinite_seeds_stay_in_their_branch()
    {
        var a = Tensor.FromArray([1f, 2f]).RequireGrad();
        var b = Tensor.FromArray([3f, 4f]).RequireGrad();
        var y = Tensor.Where(Tensor.FromArray([true, false]), a, b);
        var seed = Tensor.FromArray([float.PositiveInfinity, 1f]);
        var g = Gradients.Of([y], [a, b], [seed]);
        Assert.Equal(new[] { float.PositiveInfinity, 0f }, g[0].ToArray());
        Assert.Equal(new[] { 0f, 1f }, g[1].ToArray());
    }

    [Fact]
    public void Casts_convert_between_dtypes()
    {
        var f = Tensor.FromArray([0f, -2.5f, float.NaN]);
        Assert.Equal(new[] { false, true, true }, f.ToBool().ToBoolArray());
        Assert.Equal(new[] { 0f, 1f, 1f }, f.ToBool().ToFloat32().ToArray());
        Assert.Equal(new[] { 3f, -4f }, Tensor.FromArray(new long[] { 3, -4 }).ToFloat32().ToArray());
        Assert.Equal(new[] { true, false }, Tensor.FromArray(new long[] { 3, 0 }).ToBool().ToBoolArray());
        Assert.Same(f, f.ToFloat32());
    }
}
