using static Lumen.Tensors.Tests.TestTensors;

namespace Lumen.Tensors.Tests;

public class MovementTests
{
    [Theory]
    [InlineData(new[] { 3, 5 }, new[] { 1, 0 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { 2, 0, 1 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { -1, -3, -2 })]
    [InlineData(new[] { 2, 1, 3, 5 }, new[] { 0, 2, 1, 3 })]
    [InlineData(new[] { 3, 2, 1, 4, 3 }, new[] { 4, 1, 3, 0, 2 })]
    public void Permute_moves_every_element_to_its_permuted_index_and_gradients_flow_back(int[] dims, int[] axes)
    {
        var x = Sequence(dims);
        var y = x.Permute(axes);
        var perm = axes.Select(a => a < 0 ? a + dims.Length : a).ToArray();
        Assert.Equal(perm.Select(p => dims[p]).ToArray(), y.Shape.ToArray());
        for (int flat = 0; flat < y.Size; flat++)
        {
            var yi = Unravel(flat, y.Shape);
            var xi = new int[dims.Length];
            for (int i = 0; i < perm.Length; i++) xi[perm[i]] = yi[i];
            Assert.Equal(x[xi], y.AsReadOnlySpan()[flat]);
        }
        GradCheck.Assert(t => t[0].Permute(axes), [Tensor.Randn(new Shape(dims), 3)]);
        Assert.Equal(x.ToArray(), y.Permute(Inverse(perm)).ToArray());
    }

    private static int[] Inverse(int[] perm)
    {
        var inverse = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
        return inverse;
    }

    [Fact]
    public void Permute_without_axes_reverses_them_and_transpose_swaps_two()
    {
        var x = Sequence(2, 3, 4);
        Assert.Equal(new[] { 4, 3, 2 }, x.Permute().Shape.ToArray());
        var t = x.Transpose(-1, 0);
        Assert.Equal(x.Permute(2, 1, 0).ToArray(), t.ToArray());
        GradCheck.Assert(v => v[0].Transpose(-2, -1), [Tensor.Randn(new Shape(3, 5, 7), 4)]);
    }

    [Fact]
    public void Permute_and_transpose_reject_bad_axes_naming_the_op_and_shape()
    {
        var x = Tensor.Zeros(2, 3, 4);
        ThrowsNaming(() => x.Permute(0, 1), "Permute", "[0, 1]", "[2, 3, 4]");
        ThrowsNaming(() => x.Permute(0, 1, 1), "Permute", "[2, 3, 4]");
        ThrowsNaming(() => x.Permute(0, 1, 3), "Permute", "[2, 3, 4]");
        ThrowsNaming(() => x.Transpose(0, 3), "Transpose", "axis 3");
    }

    [Fact]
    public void Permute_works_for_int64_and_bool()
    {
        var l = LongSequence(2, 3).Permute(1, 0);
        Assert.Equal(new long[] { 0, 3, 1, 4, 2, 5 }, l.ToInt64Array());
        var b = BoolPattern(2, 3).Permute(1, 0);
        Assert.Equal(new[] { true, true, false, false, false, false }, b.ToBoolArray());
    }

    [Fact]
    public void Squeeze_and_unsqueeze_change_only_the_shape()
    {
        var x = Sequence(1, 3, 1, 2);
        Assert.Equal(new[] { 3, 2 }, x.Squeeze().Shape.ToArray());
        Assert.Equal(new[] { 1, 3, 2 }, x.Squeeze(-2).Shape.ToArray());
        Assert.Equal(new[] { 1, 3, 1, 2, 1 }, Sequence(3, 2).Unsqueeze(0, 2, -1).Shape.ToArray());
        Assert.Equal(new[] { 3, 1, 2 }, Sequence(3, 2).Unsqueeze(-2).Shape.ToArray());
        Assert.Equal(x.ToArray(), x.Squeeze().ToArray());
        Assert.Equal(new[] { 1 }, Tensor.Scalar(2f).Unsqueeze(0).Shape.ToArray());
        GradCheck.Assert(t => t[0].Squeeze(0).Unsqueeze(1), [Tensor.Randn(new Shape(1, 3, 2), 5)]);
        Assert.Equal(DType.Int64, LongSequence(1, 2).Squeeze().DType);
    }

    [Fact]
    public void Squeeze_and_unsqueeze_reject_bad_axes()
    {
        ThrowsNaming(() => Tensor.Zeros(1, 3).Squeeze(1), "Squeeze", "axis 1", "[1, 3]", "size 3");
        ThrowsNaming(() => Tensor.Zeros(1, 3).Squeeze(2), "Squeeze", "axis 2");
        ThrowsNaming(() => Tensor.Zeros(3).Unsqueeze(0, 0), "Unsqueeze", "repeated", "[3]");
        ThrowsNaming(() => Tensor.Zeros(3).Unsqueeze(3), "Unsqueeze", "axis 3");
    }

    [Fact]
    public void Flatten_merges_a_range_of_axes_and_flatten2d_makes_a_matrix()
    {
        var x = Sequence(2, 3, 4, 5);
        Assert.Equal(new[] { 2, 60 }, x.Flatten().Shape.ToArray());
        Assert.Equal(new[] { 120 }, x.Flatten(0).Shape.ToArray());
        Assert.Equal(new[] { 2, 12, 5 }, x.Flatten(1, -2).Shape.ToArray());
        Assert.Equal(new[] { 1, 120 }, x.Flatten2d(0).Shape.ToArray());
        Assert.Equal(new[] { 24, 5 }, x.Flatten2d(-1).Shape.ToArray());
        Assert.Equal(new[] { 120, 1 }, x.Flatten2d(4).Shape.ToArray());
        Assert.Equal(x.ToArray(), x.Flatten(1, 2).ToArray());
        ThrowsNaming(() => x.Flatten(2, 1), "Flatten", "[2, 3, 4, 5]");
        ThrowsNaming(() => x.Flatten2d(5), "Flatten2d", "axis 5", "[2, 3, 4, 5]");
        GradCheck.Assert(t => t[0].Flatten(), [Tensor.Randn(new Shape(2, 3, 2), 6)]);
    }

    [Fact]
    public void Expand_broadcasts_both_ways_and_minus_one_keeps_a_dimension()
    {
        var x = Sequence(3, 1);
        var y = x.Expand(2, 1, 4);
        Assert.Equal(new[] { 2, 3, 4 }, y.Shape.ToArray());
        for (int flat = 0; flat < y.Size; flat++) Assert.Equal(Unravel(flat, y.Shape)[1], y.AsReadOnlySpan()[flat]);
        Assert.Equal(new[] { 3, 5 }, x.Expand(-1, 5).Shape.ToArray());
        Assert.Equal(new[] { 3, 1 }, x.Expand(1).Shape.ToArray()); // ONNX: the shape may be smaller
        Assert.Equal(new long[] { 7, 7, 7 }, Longs([7]).Expand(3).ToInt64Array());
        ThrowsNaming(() => x.Expand(2, 2), "Expand", "[3, 1]");
        ThrowsNaming(() => x.Expand(-1, 3, 1), "Expand", "[3, 1]");
        GradCheck.Assert(t => t[0].Expand(2, -1, 4), [Tensor.Randn(new Shape(3, 1), 7)]);
    }

    [Fact]
    public void BroadcastTo_rejects_a_shape_it_cannot_reach()
    {
        ThrowsNaming(() => Tensor.Zeros(2, 3).BroadcastTo(new Shape(3)), "BroadcastTo", "[2, 3]", "[3]");
        ThrowsNaming(() => Tensor.Zeros(2, 3).BroadcastTo(new Shape(4, 3)), "BroadcastTo", "[2, 3]");
    }

    [Fact]
    public void Flip_reverses_the_given_axes()
    {
        var x = Sequence(2, 3);
        Assert.Equal(new float[] { 2, 1, 0, 5, 4, 3 }, x.Flip(-1).ToArray());
        Assert.Equal(new float[] { 3, 4, 5, 0, 1, 2 }, x.Flip(0).ToArray());
        Assert.Equal(new float[] { 5, 4, 3, 2, 1, 0 }, x.Flip().ToArray());
        Assert.Equal(new[] { false, false, true, false, false, true }, BoolPattern(2, 3).Flip(1).ToBoolArray());
        ThrowsNaming(() => x.Flip(0, -2), "Flip", "repeated", "[2, 3]");
        GradCheck.Assert(t => t[0].Flip(0, 2), [Tensor.Randn(new Shape(3, 2, 5), 8)]);
    }

    [Fact]
    public void Tile_repeats_the_whole_tensor_along_each_axis()
    {
        Assert.Equal(new float[] { 0, 1, 0, 1 }, Sequence(2).Tile(2).ToArray());
        var t = Sequence(2, 2).Tile(2, 3);
        Assert.Equal(new[] { 4, 6 }, t.Shape.ToArray());
        for (int flat = 0; flat < t.Size; flat++)
        {
            var i = Unravel(flat, t.Shape);
            Assert.Equal(i[0] % 2 * 2 + i[1] % 2, t.AsReadOnlySpan()[flat]);
        }
        Assert.Equal(new[] { 2, 1, 6 }, Sequence(1, 3).Repeat(2, 1, 2).Shape.ToArray());
        Assert.Equal(new long[] { 0, 1, 0, 1 }, LongSequence(2).Tile(2).ToInt64Array());
        ThrowsNaming(() => Sequence(2, 2).Tile(2), "Tile", "[2, 2]");
        ThrowsNaming(() => Sequence(2).Tile(-1), "Tile", "[2]");
        GradCheck.Assert(v => v[0].Tile(2, 1, 3), [Tensor.Randn(new Shape(3, 2), 9)]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DepthToSpace_matches_the_onnx_formula_and_space_to_depth_inverts_dcr(bool crd)
    {
        int n = 2, c = 8, h = 2, w = 3, b = 2, depth = c / (b * b);
        var x = Sequence(n, c, h, w);
        var y = x.DepthToSpace(b, crd);
        Assert.Equal(new[] { n, depth, h * b, w * b }, y.Shape.ToArray());
        for (int flat = 0; flat < y.Size; flat++)
        {
            var i = Unravel(flat, y.Shape); // [n, d, hh, ww]
            int bi = i[2] % b, bj = i[3] % b;
            int channel = crd ? i[1] * b * b + bi * b + bj : (bi * b + bj) * depth + i[1];
            Assert.Equal(x[i[0], channel, i[2] / b, i[3] / b], y.AsReadOnlySpan()[flat]);
        }
        if (!crd) Assert.Equal(x.ToArray(), y.SpaceToDepth(b).ToArray());
        GradCheck.Assert(t => t[0].DepthToSpace(2, crd), [Tensor.Randn(new Shape(1, 4, 2, 3), 10)]);
        ThrowsNaming(() => Tensor.Zeros(1, 3, 2, 2).DepthToSpace(2), "DepthToSpace", "[1, 3, 2, 2]");
        ThrowsNaming(() => Tensor.Zeros(1, 3, 3, 2).SpaceToDepth(2), "SpaceToDepth", "[1, 3, 3, 2]");
        ThrowsNaming(() => Tensor.Zeros(3, 2, 2).SpaceToDepth(2), "SpaceToDepth", "[3, 2, 2]");
    }

    [Theory]
    [InlineData(-2)]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Tril_and_triu_keep_the_right_triangle_of_each_matrix(int k)
    {
        var x = Sequence(2, 3, 4);
        var lower = x.Tril(k).ToArray();
        var upper = x.Triu(k).ToArray();
        for (int flat = 0; flat < x.Size; flat++)
        {
            var i = Unravel(flat, x.Shape);
            Assert.Equal(i[2] <= i[1] + k ? flat : 0, lower[flat]);
            Assert.Equal(i[2] >= i[1] + k ? flat : 0, upper[flat]);
        }
        Assert.Equal(lower.Select(v => (long)v), LongSequence(2, 3, 4).Tril(k).ToInt64Array());
        GradCheck.Assert(t => t[0].Triu(k), [Tensor.Randn(new Shape(2, 3, 4), 11)]);
        GradCheck.Assert(t => t[0].Tril(k), [Tensor.Randn(new Shape(4, 3), 12)]);
    }

    [Fact]
    public void Tril_needs_a_matrix()
    {
        ThrowsNaming(() => Tensor.Zeros(3).Tril(), "Tril", "[3]");
        ThrowsNaming(() => Tensor.Zeros(3).Triu(), "Triu", "[3]");
    }

    [Theory]
    [InlineData(0, false, false)]
    [InlineData(1, true, false)]
    [InlineData(-1, false, true)]
    [InlineData(-2, true, true)]
    public void CumSum_matches_a_running_sum_in_every_mode(int axis, bool exclusive, bool reverse)
    {
        var x = Tensor.Randn(new Shape(3, 4, 5), 13);
        var y = x.CumSum(axis, exclusive, reverse).ToArray();
        int a = axis < 0 ? axis + 3 : axis;
        for (int flat = 0; flat < x.Size; flat++)
        {
            var i = Unravel(flat, x.Shape);
            double expected = 0;
            for (int j = 0; j < x.Shape.Dims[a]; j++)
            {
                bool include = reverse ? (exclusive ? j > i[a] : j >= i[a]) : (exclusive ? j < i[a] : j <= i[a]);
                var xi = (int[])i.Clone();
                xi[a] = j;
                if (include) expected += x[xi];
            }
            Assert.Equal(expected, y[flat], 4);
        }
        GradCheck.Assert(t => t[0].CumSum(axis, exclusive, reverse), [Tensor.Randn(new Shape(3, 4, 5), 14)]);
    }

    [Fact]
    public void CumSum_works_on_int64_and_rejects_bool()
    {
        Assert.Equal(new long[] { 0, 1, 3, 6 }, LongSequence(4).CumSum(0).ToInt64Array());
        Assert.Equal(new long[] { 6, 5, 3, 0 }, LongSequence(4).CumSum(0, exclusive: true, reverse: true).ToInt64Array());
        ThrowsNaming(() => BoolPattern(3).CumSum(0), "CumSum", "Bool", "[3]");
        ThrowsNaming(() => Tensor.Zeros(3).CumSum(1), "CumSum", "axis 1");
    }
}
