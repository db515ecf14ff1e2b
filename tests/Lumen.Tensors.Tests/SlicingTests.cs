using static Lumen.Tensors.Tests.TestTensors;

namespace Lumen.Tensors.Tests;

public class SlicingTests
{
    // expected index lists follow Python's list(range(5))[start:end:step]
    [Theory]
    [InlineData(1L, 4L, 1L, new[] { 1, 2, 3 })]
    [InlineData(-2L, long.MaxValue, 1L, new[] { 3, 4 })]
    [InlineData(0L, 5L, 2L, new[] { 0, 2, 4 })]
    [InlineData(4L, long.MinValue, -1L, new[] { 4, 3, 2, 1, 0 })]
    [InlineData(-1L, -6L, -2L, new[] { 4, 2, 0 })]
    [InlineData(10L, 0L, -1L, new[] { 4, 3, 2, 1 })]
    [InlineData(3L, 1L, 1L, new int[0])]
    [InlineData(-100L, 100L, 3L, new[] { 0, 3 })]
    [InlineData(2L, -100L, -1L, new[] { 2, 1, 0 })]
    [InlineData(long.MaxValue, long.MinValue, -2L, new[] { 4, 2, 0 })]
    [InlineData(1L, 2L, long.MaxValue, new[] { 1 })]
    public void Slice_clamps_like_python(long start, long end, long step, int[] expected)
    {
        var x = Sequence(5);
        Assert.Equal(expected.Select(i => (float)i).ToArray(), x.Slice(0, start, end, step).ToArray());
        Assert.Equal(expected.Select(i => (long)i).ToArray(), LongSequence(5).Slice(0, start, end, step).ToInt64Array());
    }

    [Fact]
    public void Slice_on_an_inner_axis_with_a_negative_step_picks_the_right_elements_and_gradients()
    {
        var x = Sequence(3, 7, 2);
        var y = x.Slice(-2, 5, 0, -2); // rows 5, 3, 1 of axis 1
        Assert.Equal(new[] { 3, 3, 2 }, y.Shape.ToArray());
        for (int flat = 0; flat < y.Size; flat++)
        {
            var i = Unravel(flat, y.Shape);
            Assert.Equal(x[i[0], 5 - 2 * i[1], i[2]], y.AsReadOnlySpan()[flat]);
        }
        GradCheck.Assert(t => t[0].Slice(1, 5, 0, -2), [Tensor.Randn(new Shape(3, 7, 2), 20)]);
        GradCheck.Assert(t => t[0].Slice(0, 1, 3), [Tensor.Randn(new Shape(4, 3), 21)]);
    }

    [Fact]
    public void Multi_axis_slice_follows_onnx()
    {
        var x = Sequence(4, 5, 6);
        var y = x.Slice([1, -1], [3, 0], [0, 2], [1, -2]); // axis 0: 1..2, axis 2: 5, 3, 1
        Assert.Equal(new[] { 2, 5, 3 }, y.Shape.ToArray());
        for (int flat = 0; flat < y.Size; flat++)
        {
            var i = Unravel(flat, y.Shape);
            Assert.Equal(x[1 + i[0], i[1], 5 - 2 * i[2]], y.AsReadOnlySpan()[flat]);
        }
        Assert.Equal(new[] { 2, 3, 6 }, x.Slice([1, 2], [3, long.MaxValue]).Shape.ToArray());
        var b = BoolPattern(4, 5, 6).Slice([1, -1], [3, 0], [0, 2], [1, -2]).ToBoolArray();
        Assert.Equal(y.ToArray().Select(v => (int)v % 3 == 0), b);
        GradCheck.Assert(t => t[0].Slice([1, -1], [3, 0], [0, 2], [1, -2]), [Tensor.Randn(new Shape(4, 5, 6), 22)]);
    }

    [Fact]
    public void Slice_rejects_bad_arguments()
    {
        var x = Tensor.Zeros(4, 5);
        ThrowsNaming(() => x.Slice(0, 0, 2, 0), "Slice", "step is 0", "[4, 5]");
        ThrowsNaming(() => x.Slice(2, 0, 2), "Slice", "axis 2");
        ThrowsNaming(() => x.Slice([0, 1], [2]), "Slice", "same length", "[4, 5]");
        ThrowsNaming(() => x.Slice([0, 1], [2, 2], [1, -1]), "Slice", "repeated", "[4, 5]");
    }

    [Fact]
    public void Split_and_chunk_cut_into_consecutive_pieces()
    {
        var x = Sequence(7, 2);
        var parts = x.Split([2, 0, 5]);
        Assert.Equal(new[] { 2, 0, 5 }, parts.Select(p => p.Shape[0]).ToArray());
        Assert.Equal(x.ToArray(), Tensor.Concat(parts).ToArray());
        Assert.Equal(new[] { 3, 3, 1 }, x.Chunk(3).Select(p => p.Shape[0]).ToArray());
        Assert.Equal(new[] { 2, 2, 2 }, Sequence(6).Chunk(4).Select(p => p.Shape[0]).ToArray());
        Assert.Equal(new[] { 1, 1 }, x.Chunk(5, -1).Select(p => p.Shape[1]).ToArray());
        ThrowsNaming(() => x.Split([3, 3]), "Split", "[3, 3]", "[7, 2]");
        ThrowsNaming(() => x.Chunk(0), "Chunk", "[7, 2]");
        GradCheck.Assert(t => { var p = t[0].Split([1, 2], 1); return p[1] * p[1] - p[0]; }, [Tensor.Randn(new Shape(3, 3), 23)]);
    }

    [Fact]
    public void Concat_joins_along_any_axis_and_routes_gradients_to_every_input()
    {
        var a = Sequence(2, 1, 3);
        var b = Sequence(2, 4, 3) + 100f;
        var y = Tensor.Concat([a, b], -2);
        Assert.Equal(new[] { 2, 5, 3 }, y.Shape.ToArray());
        for (int flat = 0; flat < y.Size; flat++)
        {
            var i = Unravel(flat, y.Shape);
            float expected = i[1] == 0 ? a[i[0], 0, i[2]] : b[i[0], i[1] - 1, i[2]];
            Assert.Equal(expected, y.AsReadOnlySpan()[flat]);
        }
        GradCheck.Assert(t => Tensor.Concat([t[0], t[1], t[0]], 1),
            [Tensor.Randn(new Shape(2, 3, 2), 24), Tensor.Randn(new Shape(2, 1, 2), 25)]);
        Assert.Equal(new long[] { 0, 1, 0, 1, 2 }, Tensor.Concat([LongSequence(2), LongSequence(3)]).ToInt64Array());
    }

    [Fact]
    public void Concat_rejects_mismatched_inputs()
    {
        ThrowsNaming(() => Tensor.Concat([Tensor.Zeros(2, 3), Tensor.Zeros(3, 3)], 1), "Concat", "[3, 3]", "[2, 3]");
        ThrowsNaming(() => Tensor.Concat([Tensor.Zeros(2, 3), Tensor.Zeros(2)]), "Concat", "[2]", "[2, 3]");
        ThrowsNaming(() => Tensor.Concat([Tensor.Zeros(2), LongSequence(2)]), "Concat", "Int64", "Float32");
        ThrowsNaming(() => Tensor.Concat(Array.Empty<Tensor>()), "Concat");
        ThrowsNaming(() => Tensor.Concat([Tensor.Zeros(2)], 1), "Concat", "axis 1");
    }

    [Fact]
    public void Stack_adds_a_dimension()
    {
        var a = Sequence(2, 3);
        var b = a + 10f;
        Assert.Equal(new[] { 2, 2, 3 }, Tensor.Stack([a, b]).Shape.ToArray());
        var last = Tensor.Stack([a, b], -1);
        Assert.Equal(new[] { 2, 3, 2 }, last.Shape.ToArray());
        Assert.Equal(new float[] { 0, 10, 1, 11, 2, 12 }, last.ToArray()[..6]);
        ThrowsNaming(() => Tensor.Stack([a, Tensor.Zeros(3, 2)]), "Stack", "[2, 3]", "[3, 2]");
        ThrowsNaming(() => Tensor.Stack([a], 3), "Stack", "axis 3");
        GradCheck.Assert(t => Tensor.Stack([t[0], t[1]], 1), [Tensor.Randn(new Shape(2, 3), 26), Tensor.Randn(new Shape(2, 3), 27)]);
    }

    [Theory]
    [InlineData(PadMode.Constant, new float[] { 9, 9, 1, 2, 3, 9, 9 })]
    [InlineData(PadMode.Reflect, new float[] { 3, 2, 1, 2, 3, 2, 1 })]
    [InlineData(PadMode.Edge, new float[] { 1, 1, 1, 2, 3, 3, 3 })]
    [InlineData(PadMode.Wrap, new float[] { 2, 3, 1, 2, 3, 1, 2 })]
    public void Pad_modes_fill_the_border_like_numpy(PadMode mode, float[] expected)
    {
        var x = Tensor.FromArray([1f, 2f, 3f]);
        Assert.Equal(expected, x.Pad([2, 2], mode, 9f).ToArray());
        Assert.Equal(expected.Select(v => (long)v), Longs([1, 2, 3]).Pad([2, 2], mode, 9f).ToInt64Array());
    }

    [Theory]
    [InlineData(PadMode.Constant)]
    [InlineData(PadMode.Reflect)]
    [InlineData(PadMode.Edge)]
    [InlineData(PadMode.Wrap)]
    public void Pad_in_two_dimensions_with_cropping_matches_an_index_formula(PadMode mode)
    {
        var x = Sequence(2, 4, 5);
        int[] pads = [0, 2, -1, 0, -1, 3]; // axis1: +2 / −1, axis2: −1 / +3
        var y = x.Pad(pads, mode, -7f);
        Assert.Equal(new[] { 2, 5, 7 }, y.Shape.ToArray());
        for (int flat = 0; flat < y.Size; flat++)
        {
            var i = Unravel(flat, y.Shape);
            // crop first: axis 1 keeps 0..2, axis 2 keeps 1..4; then pad that [2, 3, 4] core
            int? r = Source(i[1] - 2, 3, mode), c = Source(i[2], 4, mode);
            float expected = r is null || c is null ? -7f : x[i[0], r.Value, c.Value + 1];
            Assert.Equal(expected, y.AsReadOnlySpan()[flat]);
        }
        GradCheck.Assert(t => t[0].Pad([0, 2, -1, 0, -1, 3], mode, 0.5f), [Tensor.Randn(new Shape(2, 4, 5), 28)]);
    }

    private static int? Source(int i, int n, PadMode mode)
    {
        if (i >= 0 && i < n) return i;
        return mode switch
        {
            PadMode.Reflect => i < 0 ? -i : 2 * (n - 1) - i,
            PadMode.Edge => Math.Clamp(i, 0, n - 1),
            PadMode.Wrap => ((i % n) + n) % n,
            _ => null,
        };
    }

    [Fact]
    public void Pad_works_for_bool_and_rejects_bad_pads()
    {
        var b = BoolPattern(2).Pad([1, 1], PadMode.Constant, 1f).ToBoolArray();
        Assert.Equal(new[] { true, true, false, true }, b);
        var x = Tensor.Zeros(2, 3);
        ThrowsNaming(() => x.Pad([1, 1]), "Pad", "[2, 3]", "expected 4");
        ThrowsNaming(() => x.Pad([0, -2, 0, -2]), "Pad", "crop", "[2, 3]");
        ThrowsNaming(() => x.Pad([0, 3, 0, 0], PadMode.Reflect), "Pad", "Reflect", "[2, 3]");
        ThrowsNaming(() => Tensor.Zeros(2, 0).Pad([0, 1, 0, 0], PadMode.Edge), "Pad", "Edge", "[2, 0]");
        ThrowsNaming(() => x.Pad([0, 4, 0, 0], PadMode.Wrap), "Pad", "Wrap", "[2, 3]");
    }
}
