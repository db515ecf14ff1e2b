using Lumen.Tensors;
using Lumen.Tensors.Tests;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

/// <summary>Det, Col2Im, RoiAlign, TensorScatter, SwiGLU, optional tensors and Elu/Celu at zero against hand-computed values,
/// and the gradients of the differentiable ones against finite differences.</summary>
public class MatrixAndRegionTests
{
    [Fact]
    public void DeterminantPivotsAndHandlesSingularMatrices()
    {
        var model = new OnnxBuilder(22).Input("a", DataType.Float, 3, 3, 3).Node("Det", ["a"], ["d"]).Output("d").Build();
        var a = Tensor.FromArray([
            0f, 2f, 1f, 1f, 0f, 0f, 0f, 0f, 3f,   // zero first pivot: rows swap, det = −(1·2·3) = −6
            2f, 0f, 0f, 0f, 3f, 0f, 0f, 0f, 4f,   // diagonal: 24
            1f, 2f, 3f, 2f, 4f, 6f, 1f, 0f, 1f,   // second row twice the first: 0
        ], 3, 3, 3);
        var d = model.Call(a).ToArray();
        Assert.Equal(-6f, d[0], 5);
        Assert.Equal(24f, d[1], 5);
        Assert.Equal(0f, d[2], 5);
    }

    [Fact]
    public void DeterminantGradientMatchesFiniteDifferences()
    {
        var model = new OnnxBuilder(22).Input("a", DataType.Float, 2, 3, 3).Node("Det", ["a"], ["d"]).Output("d").Build();
        GradCheck.Assert(x => model.Call(x[0]), [Tensor.Randn(new Shape(2, 3, 3), seed: 21)]);
    }

    [Fact]
    public void Col2ImAddsOverlappingBlocks()
    {
        // Image 1×3, blocks 1×2 with stride 1: two blocks [a b] at columns 0–1 and [c d] at 1–2 → [a, b + c, d].
        var model = new OnnxBuilder(18).Input("x", DataType.Float, 1, 2, 2).Initializer("image", Tensor.FromArray([1L, 3L], 2))
            .Initializer("block", Tensor.FromArray([1L, 2L], 2)).Node("Col2Im", ["x", "image", "block"], ["y"]).Output("y").Build();
        // Rows are block entries, columns the blocks: entry 0 = [a, c], entry 1 = [b, d].
        var y = model.Call(Tensor.FromArray([1f, 10f, 2f, 20f], 1, 2, 2));
        Assert.Equal(new Shape(1, 1, 1, 3), y.Shape);
        Assert.Equal([1f, 12f, 20f], y.ToArray());
    }

    [Fact]
    public void Col2ImGradientMatchesFiniteDifferences()
    {
        var model = new OnnxBuilder(18).Input("x", DataType.Float, 1, 8, 4).Initializer("image", Tensor.FromArray([3L, 3L], 2))
            .Initializer("block", Tensor.FromArray([2L, 2L], 2)).Node("Col2Im", ["x", "image", "block"], ["y"], ("pads", new long[] { 1, 0, 0, 1 }), ("strides", new long[] { 2, 2 }))
            .Output("y").Build();
        GradCheck.Assert(x => model.Call(x[0]), [Tensor.Randn(new Shape(1, 8, 4), seed: 22)]);
    }

    [Theory]
    [InlineData("avg")]
    [InlineData("max")]
    public void RoiAlignOfAConstantMapIsTheConstantAndItsGradientIsExact(string mode)
    {
        var model = new OnnxBuilder(16).Input("x", DataType.Float, 1, 2, 5, 5).Initializer("rois", Tensor.FromArray([0.5f, 1f, 3.2f, 4f, 1f, 0f, 2f, 2.5f], 2, 4))
            .Initializer("batch", Tensor.FromArray([0L, 0L], 2))
            .Node("RoiAlign", ["x", "rois", "batch"], ["y"], ("output_height", 2L), ("output_width", 3L), ("sampling_ratio", 2L), ("mode", mode)).Output("y").Build();
        var y = model.Call(Tensor.Full(new Shape(1, 2, 5, 5), 3f));
        Assert.Equal(new Shape(2, 2, 2, 3), y.Shape);
        // Averaging interpolations of a constant gives the constant; max mode takes the largest weighted corner, w·3 ≤ 3.
        if (mode == "avg") Assert.All(y.ToArray(), v => Assert.Equal(3f, v, 5));
        else Assert.All(y.ToArray(), v => Assert.InRange(v, 0.75f, 3f));
        GradCheck.Assert(x => model.Call(x[0]), [Tensor.Randn(new Shape(1, 2, 5, 5), seed: 23)]);
    }

    [Fact]
    public void TensorScatterWritesLinearlyOrAroundTheCache()
    {
        // Cache [batch 2, length 3, 1]; two steps written at 1 (linear) and at 2, wrapping to 0 (circular).
        GraphModule Model(string mode) => new OnnxBuilder(24).Input("cache", DataType.Float, 2, 3, 1).Input("u", DataType.Float, 2, 2, 1)
            .Initializer("w", Tensor.FromArray([1L, 2L], 2)).Node("TensorScatter", ["cache", "u", "w"], ["y"], ("mode", mode)).Output("y").Build();
        var cache = Tensor.Zeros(2, 3, 1);
        var u = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2, 1);
        var linear = new OnnxBuilder(24).Input("cache", DataType.Float, 2, 3, 1).Input("u", DataType.Float, 2, 2, 1)
            .Node("TensorScatter", ["cache", "u"], ["y"]).Output("y").Build();
        Assert.Equal([1f, 2f, 0f, 3f, 4f, 0f], linear.Call([cache, u])[0].ToArray());
        Assert.Equal([0f, 1f, 2f, 4f, 0f, 3f], Model("circular").Call([cache, u])[0].ToArray());
        var past = Assert.ThrowsAny<Exception>(() => Model("linear").Call([cache, u]));
        Assert.Contains("past the cache length", past.ToString());
    }

    [Fact]
    public void TensorScatterGradientReachesCacheAndUpdate()
    {
        var model = new OnnxBuilder(24).Input("cache", DataType.Float, 2, 4, 3).Input("u", DataType.Float, 2, 2, 3)
            .Initializer("w", Tensor.FromArray([3L, 1L], 2)).Node("TensorScatter", ["cache", "u", "w"], ["y"], ("mode", "circular")).Output("y").Build();
        GradCheck.Assert(x => model.Call(x)[0], [Tensor.Randn(new Shape(2, 4, 3), seed: 26), Tensor.Randn(new Shape(2, 2, 3), seed: 27)]);
    }

    [Fact]
    public void SwiGluGatesTheValueAndItsGradientIsExact()
    {
        var model = new OnnxBuilder(28).Input("a", DataType.Float, 2, 3).Input("b", DataType.Float, 2, 3).Node("SwiGLU", ["a", "b"], ["y"], ("alpha", 0.5f)).Output("y").Build();
        var y = model.Call([Tensor.FromArray([0f, 2f, -2f, 1f, 1f, 1f], 2, 3), Tensor.FromArray([5f, 1f, 1f, 2f, 2f, 2f], 2, 3)])[0].ToArray();
        Assert.Equal(0f, y[0]);
        Assert.Equal(2f / (1f + MathF.Exp(-1f)), y[1], 5);
        GradCheck.Assert(x => model.Call(x)[0], [Tensor.Randn(new Shape(2, 3), seed: 24), Tensor.Randn(new Shape(2, 3), seed: 25)]);
    }

    [Fact]
    public void OptionalTensorsArePresentOrOmittedInputs()
    {
        var model = new OnnxBuilder(18).Input("x", DataType.Float, 2)
            .Node("Optional", ["x"], ["o"]).Node("OptionalHasElement", ["o"], ["has"]).Node("OptionalHasElement", [""], ["none"])
            .Node("OptionalGetElement", ["o"], ["y"]).Output("has", DataType.Bool).Output("none", DataType.Bool).Output("y").Build();
        var outputs = model.Call([Tensor.FromArray([1f, 2f], 2)]);
        Assert.Equal([true], outputs[0].ToBoolArray());
        Assert.Equal([false], outputs[1].ToBoolArray());
        Assert.Equal([1f, 2f], outputs[2].ToArray());
        var empty = Assert.Throws<OnnxException>(() => new OnnxBuilder(18).Node("Optional", [], ["o"], ("type", 1L)).Output("o").Build());
        Assert.Contains("empty Optional()", empty.Message);
    }

    [Theory]
    [InlineData("Elu")]
    [InlineData("Celu")]
    public void EluAndCeluAreExactlyZeroAtZero(string op)
    {
        // The negative branch is eˣ − 1 in double precision; the vectorised exp gave 2.4e-7 at 0.
        var model = new OnnxBuilder(13).Input("x", DataType.Float, 3).Node(op, ["x"], ["y"], ("alpha", 2f)).Output("y").Build();
        var y = model.Call(Tensor.FromArray([0f, -1f, 1f], 3)).ToArray();
        Assert.Equal(0f, y[0]);
        Assert.Equal(op == "Elu" ? 2f * (MathF.Exp(-1f) - 1f) : 2f * (MathF.Exp(-0.5f) - 1f), y[1], 6);
        Assert.Equal(1f, y[2]);
    }
}
