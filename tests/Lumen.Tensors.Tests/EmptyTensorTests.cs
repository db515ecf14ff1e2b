using static Lumen.Tensors.Tests.TestTensors;

namespace Lumen.Tensors.Tests;

/// <summary>Zero-size dimensions must flow through every movement op without touching memory they do not own.</summary>
public class EmptyTensorTests
{
    [Fact]
    public void Movement_ops_accept_zero_size_dimensions()
    {
        var x = Tensor.Zeros(0, 3);
        Assert.Equal(new[] { 3, 0 }, x.Permute(1, 0).Shape.ToArray());
        Assert.Equal(new[] { 0, 3 }, x.Flip(0).Shape.ToArray());
        Assert.Equal(new[] { 0, 2 }, x.Slice(1, 1, 3).Shape.ToArray());
        Assert.Equal(new[] { 2, 3 }, x.Pad([1, 0, 1, 0]).Shape.ToArray());
        Assert.Equal(new[] { 2, 3 }, Tensor.Concat([x, Tensor.Ones(2, 3)]).Shape.ToArray());
        Assert.Equal(new[] { 0, 3 }, Tensor.Ones(4, 3).IndexSelect(0, Tensor.FromArray(Array.Empty<long>())).Shape.ToArray());
        Assert.Equal(new[] { 2, 0 }, x.Expand(2, 1, 3).Flatten2d(1).Shape.ToArray());
        Assert.Equal(new[] { 0, 3 }, x.CumSum(0).Shape.ToArray());
        Assert.Equal(new[] { 0, 3 }, x.Tril().Shape.ToArray());
        Assert.Equal(new[] { 0, 3 }, x.Sort(0).Values.Shape.ToArray());
        Assert.Equal(new[] { 0, 6 }, x.Tile(3, 2).Shape.ToArray());
    }

    public static IEnumerable<object[]> Lengths() => Enumerable.Range(0, 65).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Slice_concat_and_pad_are_exact_at_every_length(int n)
    {
        var x = Sequence(2, n);
        var reversed = x.Slice(1, -1, long.MinValue, -1).ToArray();
        var odd = x.Slice(1, 1, long.MaxValue, 2).ToArray();
        var padded = x.Pad([0, 1, 0, 2], PadMode.Constant, -1f).ToArray();
        var joined = Tensor.Concat([x, x], 1).ToArray();
        for (int r = 0; r < 2; r++)
        {
            for (int j = 0; j < n; j++)
            {
                Assert.Equal(r * n + n - 1 - j, reversed[r * n + j]);
                Assert.Equal(r * n + j, padded[r * (n + 3) + 1 + j]);
                Assert.Equal(r * n + j, joined[r * 2 * n + j]);
                Assert.Equal(r * n + j, joined[r * 2 * n + n + j]);
            }
            for (int j = 0; j < n / 2; j++) Assert.Equal(r * n + 1 + 2 * j, odd[r * (n / 2) + j]);
            Assert.Equal(-1f, padded[r * (n + 3)]);
            Assert.Equal(-1f, padded[r * (n + 3) + n + 2]);
        }
    }

    [Fact]
    public void Axis_ops_reject_scalars_naming_the_op()
    {
        var s = Tensor.Scalar(1f);
        ThrowsNaming(() => s.Slice(0, 0, 1), "Slice", "scalar");
        ThrowsNaming(() => s.Squeeze(0), "Squeeze", "scalar");
        ThrowsNaming(() => s.Flip(0), "Flip", "scalar");
        ThrowsNaming(() => s.Split([1]), "Split", "scalar");
        ThrowsNaming(() => s.Chunk(1), "Chunk", "scalar");
        ThrowsNaming(() => Tensor.Concat([s, s]), "Concat", "scalar");
        ThrowsNaming(() => s.IndexSelect(0, Longs([0])), "IndexSelect", "scalar");
        ThrowsNaming(() => s.Gather(0, Longs([0]).Reshape()), "Gather", "scalar");
        ThrowsNaming(() => s.TopK(1), "TopK", "scalar");
        Assert.Equal(new[] { 2 }, Tensor.Stack([s, s]).Shape.ToArray());
        Assert.Equal(1f, s.Flip().Item());
        Assert.Equal(1f, s.CumSum(0).Item());
    }
}
