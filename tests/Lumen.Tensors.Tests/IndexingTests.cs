using static Lumen.Tensors.Tests.TestTensors;

namespace Lumen.Tensors.Tests;

public class IndexingTests
{
    [Fact]
    public void IndexSelect_takes_along_an_axis_with_indices_of_any_rank()
    {
        var x = Sequence(3, 4, 2);
        var idx = Longs([3, -4, 1, 3, 0, -1], 2, 3);
        var y = x.IndexSelect(-2, idx);
        Assert.Equal(new[] { 3, 2, 3, 2 }, y.Shape.ToArray());
        var flatIdx = idx.ToInt64Array();
        for (int flat = 0; flat < y.Size; flat++)
        {
            var i = Unravel(flat, y.Shape);
            int row = (int)((flatIdx[i[1] * 3 + i[2]] + 4) % 4);
            Assert.Equal(x[i[0], row, i[3]], y.AsReadOnlySpan()[flat]);
        }
        var scalarPick = x.IndexSelect(0, Tensor.FromArray(new long[] { 2 }).Reshape());
        Assert.Equal(new[] { 4, 2 }, scalarPick.Shape.ToArray());
        Assert.Equal(x.Slice(0, 2, 3).ToArray(), scalarPick.ToArray());
        Assert.Equal(new long[] { 2, 0 }, LongSequence(3).IndexSelect(0, Longs([2, 0])).ToInt64Array());
        Assert.Equal(new[] { true, false }, BoolPattern(3).IndexSelect(0, Longs([0, 1])).ToBoolArray());
    }

    [Fact]
    public void IndexSelect_gradient_accumulates_over_repeated_indices()
    {
        var idx = Longs([1, 1, -1, 0], 2, 2);
        GradCheck.Assert(t => t[0].IndexSelect(1, idx), [Tensor.Randn(new Shape(2, 3, 2), 30)]);
        var w = Tensor.Zeros(3, 2).RequireGrad();
        var g = Autograd.Gradients.Of(w.IndexSelect(0, Longs([2, 2, 0])).Sum(), w);
        Assert.Equal(new float[] { 1, 1, 0, 0, 2, 2 }, g.ToArray());
    }

    [Fact]
    public void IndexSelect_rejects_bad_indices()
    {
        var x = Tensor.Zeros(3, 4);
        ThrowsNaming(() => x.IndexSelect(0, Longs([3])), "IndexSelect", "index 3", "size 3", "[3, 4]");
        ThrowsNaming(() => x.IndexSelect(1, Longs([-5])), "IndexSelect", "index -5", "[3, 4]");
        ThrowsNaming(() => x.IndexSelect(0, Tensor.Zeros(2)), "IndexSelect", "Int64", "Float32");
        ThrowsNaming(() => x.IndexSelect(2, Longs([0])), "IndexSelect", "axis 2");
    }

    [Fact]
    public void Embedding_looks_up_rows()
    {
        var table = Sequence(5, 3);
        var e = Tensor.Embedding(table, Longs([4, 0, 4, 1], 2, 2));
        Assert.Equal(new[] { 2, 2, 3 }, e.Shape.ToArray());
        Assert.Equal(new float[] { 12, 13, 14, 0, 1, 2 }, e.ToArray()[..6]);
        ThrowsNaming(() => Tensor.Embedding(Tensor.Zeros(5), Longs([0])), "Embedding", "[5]");
    }

    [Fact]
    public void Gather_reads_one_element_per_index_position()
    {
        var x = Sequence(3, 4);
        var index = Longs([3, 0, -1, 1, 1, 2], 3, 2); // a smaller index on the other axis is allowed
        var y = x.Gather(1, index);
        Assert.Equal(new float[] { 3, 0, 7, 5, 9, 10 }, y.ToArray());
        var rows = x.Gather(0, Longs([2, 0, 1, 2], 1, 4));
        Assert.Equal(new float[] { 8, 1, 6, 11 }, rows.ToArray());
        Assert.Equal(new long[] { 3, 0, 7, 5, 9, 10 }, LongSequence(3, 4).Gather(1, index).ToInt64Array());
        GradCheck.Assert(t => t[0].Gather(-1, Longs([3, 3, 0, 1, 1, 1], 3, 2)), [Tensor.Randn(new Shape(3, 4), 31)]);
    }

    [Fact]
    public void Gather_rejects_bad_index_shapes_and_values()
    {
        var x = Tensor.Zeros(3, 4);
        ThrowsNaming(() => x.Gather(1, Longs([0], 1)), "Gather", "[1]", "[3, 4]");
        ThrowsNaming(() => x.Gather(1, Longs([0, 0, 0, 0], 4, 1)), "Gather", "[4, 1]", "[3, 4]");
        ThrowsNaming(() => x.Gather(1, Longs([4], 1, 1)), "Gather", "index 4", "[3, 4]");
    }

    [Fact]
    public void ScatterElements_replaces_or_adds_and_differentiates_both_inputs()
    {
        var x = Tensor.Zeros(3, 3);
        var index = Longs([1, 0, 2, 0, 2, 1], 2, 3);
        var updates = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        // ONNX ScatterElements example (axis 0)
        Assert.Equal(new float[] { 4, 2, 0, 1, 0, 6, 0, 5, 3 }, x.ScatterElements(0, index, updates).ToArray());
        var twice = Longs([1, 1], 1, 2);
        var added = Tensor.Ones(1, 3).ScatterElements(1, twice, Tensor.FromArray([2f, 5f], 1, 2), ScatterReduction.Add);
        Assert.Equal(new float[] { 1, 8, 1 }, added.ToArray());
        Assert.Equal(new long[] { 0, 7, 2 }, LongSequence(1, 3).ScatterElements(1, Longs([1], 1, 1), Longs([7], 1, 1)).ToInt64Array());
        GradCheck.Assert(t => t[0].ScatterElements(0, index, t[1]), [Tensor.Randn(new Shape(3, 3), 32), Tensor.Randn(new Shape(2, 3), 33)]);
        GradCheck.Assert(t => t[0].ScatterElements(1, Longs([0, 0, 2, 1], 2, 2), t[1], ScatterReduction.Add),
            [Tensor.Randn(new Shape(2, 3), 34), Tensor.Randn(new Shape(2, 2), 35)]);
    }

    [Fact]
    public void ScatterElements_rejects_bad_updates()
    {
        var x = Tensor.Zeros(3, 3);
        var index = Longs([0, 1], 1, 2);
        ThrowsNaming(() => x.ScatterElements(0, index, Tensor.Zeros(2, 1)), "ScatterElements", "[2, 1]", "[1, 2]");
        ThrowsNaming(() => x.ScatterElements(0, index, LongSequence(1, 2)), "ScatterElements", "Int64");
        ThrowsNaming(() => BoolPattern(3, 3).ScatterElements(0, index, BoolPattern(1, 2), ScatterReduction.Add), "ScatterElements", "Bool");
    }

    [Fact]
    public void GatherNd_follows_the_onnx_examples()
    {
        var data = LongSequence(2, 2, 2);
        // ONNX example 3: indices [[0,1],[1,0]] on [[[0,1],[2,3]],[[4,5],[6,7]]] -> [[2,3],[4,5]]
        Assert.Equal(new long[] { 2, 3, 4, 5 }, data.GatherNd(Longs([0, 1, 1, 0], 2, 2)).ToInt64Array());
        // example 4: indices [[[0,1]],[[1,0]]] -> [[[2,3]],[[4,5]]] of shape [2, 1, 2]
        var y = data.GatherNd(Longs([0, 1, 1, 0], 2, 1, 2));
        Assert.Equal(new[] { 2, 1, 2 }, y.Shape.ToArray());
        // example 5 (batch_dims 1): indices [[1],[0]] -> [[2,3],[4,5]]
        Assert.Equal(new long[] { 2, 3, 4, 5 }, data.GatherNd(Longs([1, 0], 2, 1), batchDims: 1).ToInt64Array());
        // full index: one element each
        Assert.Equal(new long[] { 7, 1 }, data.GatherNd(Longs([1, 1, 1, 0, 0, -1], 2, 3)).ToInt64Array());
        GradCheck.Assert(t => t[0].GatherNd(Longs([1, 0, 1, 1, 1, 0], 3, 2)), [Tensor.Randn(new Shape(2, 3, 2), 36)]);
        GradCheck.Assert(t => t[0].GatherNd(Longs([2, 0], 2, 1), batchDims: 1), [Tensor.Randn(new Shape(2, 3, 2), 37)]);
    }

    [Fact]
    public void ScatterNd_follows_the_onnx_example_and_differentiates()
    {
        // ONNX ScatterND example 1
        var data = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f]);
        var y = data.ScatterNd(Longs([4, 3, 1, 7], 4, 1), Tensor.FromArray([9f, 10f, 11f, 12f]));
        Assert.Equal(new float[] { 1, 11, 3, 10, 9, 6, 7, 12 }, y.ToArray());
        var added = data.ScatterNd(Longs([0, 0], 2, 1), Tensor.FromArray([1f, 2f]), ScatterReduction.Add);
        Assert.Equal(4f, added.ToArray()[0]);
        GradCheck.Assert(t => t[0].ScatterNd(Longs([1, 0], 2, 1), t[1]), [Tensor.Randn(new Shape(3, 2), 38), Tensor.Randn(new Shape(2, 2), 39)]);
        GradCheck.Assert(t => t[0].ScatterNd(Longs([1, 1], 2, 1), t[1], ScatterReduction.Add), [Tensor.Randn(new Shape(3, 2), 40), Tensor.Randn(new Shape(2, 2), 41)]);
    }

    [Fact]
    public void GatherNd_and_ScatterNd_reject_bad_shapes()
    {
        var data = Tensor.Zeros(2, 3);
        ThrowsNaming(() => data.GatherNd(Longs([0, 0, 0], 1, 3)), "GatherNd", "[1, 3]", "[2, 3]");
        ThrowsNaming(() => data.GatherNd(Longs([0], 1, 1), batchDims: 1), "GatherNd", "[1, 1]", "[2, 3]");
        ThrowsNaming(() => data.GatherNd(Longs([2, 0], 1, 2)), "GatherNd", "index 2", "[2, 3]");
        ThrowsNaming(() => data.ScatterNd(Longs([1], 1, 1), Tensor.Zeros(2)), "ScatterNd", "[2]", "[1, 3]");
    }

    [Fact]
    public void OneHot_marks_each_index_along_a_new_axis()
    {
        var idx = Longs([0, 2, -1, 5], 2, 2);
        var y = idx.OneHot(3);
        Assert.Equal(new[] { 2, 2, 3 }, y.Shape.ToArray());
        Assert.Equal(new float[] { 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0 }, y.ToArray());
        var first = idx.OneHot(3, axis: 0, off: -1f, on: 2f);
        Assert.Equal(new[] { 3, 2, 2 }, first.Shape.ToArray());
        Assert.Equal(new float[] { 2, -1, -1, -1, -1, -1, -1, -1, -1, 2, 2, -1 }, first.ToArray());
        ThrowsNaming(() => Tensor.Zeros(2).OneHot(3), "OneHot", "Int64", "[2]");
        ThrowsNaming(() => idx.OneHot(3, axis: 3), "OneHot", "axis 3");
    }
}
