using static Lumen.Tensors.Tests.TestTensors;

namespace Lumen.Tensors.Tests;

public class SortingTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(-1, false)]
    [InlineData(-3, true)]
    public void Sort_orders_every_line_and_indices_point_back_to_the_values(int axis, bool descending)
    {
        var x = Tensor.Randn(new Shape(3, 5, 4), 50);
        var (values, indices) = x.Sort(axis, descending);
        int a = axis < 0 ? axis + 3 : axis;
        Assert.Equal(x.Shape, values.Shape);
        Assert.Equal(DType.Int64, indices.DType);
        var v = values.ToArray();
        var ix = indices.ToInt64Array();
        var strides = x.Shape.Strides();
        for (int flat = 0; flat < x.Size; flat++)
        {
            var i = Unravel(flat, x.Shape);
            var source = (int[])i.Clone();
            source[a] = (int)ix[flat];
            Assert.Equal(x[source], v[flat]);
            if (i[a] > 0)
            {
                float previous = v[flat - strides[a]];
                Assert.True(descending ? previous >= v[flat] : previous <= v[flat], $"line not sorted at {flat}");
            }
        }
        Assert.Equal(ix, x.ArgSort(axis, descending).ToInt64Array());
        GradCheck.Assert(t => t[0].Sort(axis, descending).Values, [Spread(51, 3, 5, 4)]);
    }

    /// <summary>Distinct values 0.1 apart in random order, so finite differences never reorder them.</summary>
    private static Tensor Spread(int seed, params int[] shape)
    {
        var rng = new Random(seed);
        int n = new Shape(shape).Size;
        return Tensor.FromArray(Enumerable.Range(0, n).Select(i => (i - n / 2) * 0.1f).OrderBy(_ => rng.Next()).ToArray(), shape);
    }

    [Fact]
    public void Sort_is_stable_puts_nan_last_and_handles_int64_and_bool()
    {
        var x = Tensor.FromArray([2f, float.NaN, 1f, 2f, float.NegativeInfinity, 1f]);
        Assert.Equal(new long[] { 4, 2, 5, 0, 3, 1 }, x.ArgSort().ToInt64Array());
        Assert.Equal(new long[] { 1, 0, 3, 2, 5, 4 }, x.ArgSort(descending: true).ToInt64Array());
        var (lv, li) = Longs([5, -3, 5, 0]).Sort(descending: true);
        Assert.Equal(new long[] { 5, 5, 0, -3 }, lv.ToInt64Array());
        Assert.Equal(new long[] { 0, 2, 3, 1 }, li.ToInt64Array());
        Assert.Equal(new long[] { 1, 2, 0, 3 }, BoolPattern(4).ArgSort().ToInt64Array());
    }

    [Fact]
    public void TopK_returns_the_best_k_in_order_with_gradient_to_the_values()
    {
        var x = Tensor.FromArray([1f, 9f, 3f, 9f, -2f, 4f, 0f, 7f], 2, 4);
        var (values, indices) = x.TopK(2);
        Assert.Equal(new float[] { 9, 9, 7, 4 }, values.ToArray());
        Assert.Equal(new long[] { 1, 3, 3, 1 }, indices.ToInt64Array());
        var (small, smallIndex) = x.TopK(1, axis: 0, largest: false);
        Assert.Equal(new float[] { -2, 4, 0, 7 }, small.ToArray());
        Assert.Equal(new long[] { 1, 1, 1, 1 }, smallIndex.ToInt64Array());
        Assert.Equal(new[] { 2, 0 }, x.TopK(0).Values.Shape.ToArray());
        var (lv, _) = Longs([4, 8, 1]).TopK(2);
        Assert.Equal(new long[] { 8, 4 }, lv.ToInt64Array());
        GradCheck.Assert(t => t[0].TopK(3, 1).Values, [Spread(52, 3, 6)]);
        var w = x.Clone().RequireGrad();
        var g = Autograd.Gradients.Of(w.TopK(2).Values.Sum(), w);
        Assert.Equal(new float[] { 0, 1, 0, 1, 0, 1, 0, 1 }, g.ToArray());
    }

    [Fact]
    public void Sorting_rejects_bad_arguments()
    {
        var x = Tensor.Zeros(2, 3);
        ThrowsNaming(() => x.TopK(4), "TopK", "k = 4", "[2, 3]");
        ThrowsNaming(() => x.TopK(-1), "TopK", "k = -1");
        ThrowsNaming(() => x.TopK(1, 2), "TopK", "axis 2");
        ThrowsNaming(() => x.Sort(-3), "Sort", "axis -3");
        ThrowsNaming(() => Tensor.Scalar(1f).ArgSort(), "ArgSort", "scalar");
    }
}
