using Lumen.Tensors;
using Lumen.Tensors.Tests;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

/// <summary>The float composites added for conformance — DFT, GridSample, AffineGrid, RotaryEmbedding, CumProd —
/// against hand-computed values and their gradients against finite differences.</summary>
public class SignalAndSamplingTests
{
    [Fact]
    public void DftOfAnImpulseAndARealSignal()
    {
        // x = [1, 2, 0, −1] (real): X[k] = Σ x[t]·e^(−iπkt/2) = [2, 1 − 3i, 0, 1 + 3i]
        var model = new OnnxBuilder(20).Input("x", DataType.Float, 1, 4, 1).Node("DFT", ["x"], ["y"]).Output("y").Build();
        var y = model.Call(Tensor.FromArray([1f, 2f, 0f, -1f], 1, 4, 1));
        Assert.Equal(new Shape(1, 4, 2), y.Shape);
        var expected = new[] { 2f, 0f, 1f, -3f, 0f, 0f, 1f, 3f };
        var actual = y.ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 5);
    }

    [Fact]
    public void InverseOneSidedDftRecoversTheRealSignal()
    {
        var forward = new OnnxBuilder(20).Input("x", DataType.Float, 1, 6, 1).Node("DFT", ["x"], ["y"], ("onesided", 1L)).Output("y").Build();
        var inverse = new OnnxBuilder(20).Input("y", DataType.Float, 1, 4, 2).Node("DFT", ["y"], ["x"], ("onesided", 1L), ("inverse", 1L)).Output("x").Build();
        var x = Tensor.FromArray([0.5f, -1f, 2f, 3f, 0f, 1.5f], 1, 6, 1);
        var roundTrip = inverse.Call(forward.Call(x)).ToArray();
        var original = x.ToArray();
        for (int i = 0; i < original.Length; i++) Assert.Equal(original[i], roundTrip[i], 4);
    }

    [Fact]
    public void DftGradientMatchesFiniteDifferences()
    {
        var model = new OnnxBuilder(20).Input("x", DataType.Float, 2, 5, 2).Node("DFT", ["x"], ["y"], ("inverse", 1L)).Output("y").Build();
        GradCheck.Assert(inputs => model.Call(inputs[0]), [Tensor.Randn(new Shape(2, 5, 2), seed: 4)]);
    }

    [Theory]
    [InlineData("linear", "zeros", 0L)]
    [InlineData("cubic", "border", 1L)]
    [InlineData("linear", "reflection", 0L)]
    public void GridSampleGradientReachesImageAndGrid(string mode, string padding, long alignCorners)
    {
        var model = new OnnxBuilder(20).Input("x", DataType.Float, 1, 2, 4, 5).Input("grid", DataType.Float, 1, 3, 3, 2)
            .Node("GridSample", ["x", "grid"], ["y"], ("mode", mode), ("padding_mode", padding), ("align_corners", alignCorners)).Output("y").Build();
        var x = Tensor.Randn(new Shape(1, 2, 4, 5), seed: 5);
        GradCheck.Assert(inputs => model.Call(inputs)[0], [x, OffLatticeGrid(alignCorners != 0)], eps: 2e-3f);
    }

    [Fact]
    public void GridSampleAtPixelCentresReturnsThePixels()
    {
        // align_corners=0: pixel j of n sits at g = (2j + 1)/n − 1.
        var model = new OnnxBuilder(20).Input("x", DataType.Float, 1, 1, 2, 2).Input("grid", DataType.Float, 1, 1, 2, 2)
            .Node("GridSample", ["x", "grid"], ["y"]).Output("y").Build();
        var y = model.Call([Tensor.FromArray([1f, 2f, 3f, 4f], 1, 1, 2, 2), Tensor.FromArray([0.5f, -0.5f, -0.5f, 0.5f], 1, 1, 2, 2)])[0];
        Assert.Equal([2f, 3f], y.ToArray()); // (x=1, y=0) then (x=0, y=1)
    }

    [Fact]
    public void AffineGridGradientMatchesFiniteDifferences()
    {
        var model = new OnnxBuilder(20).Input("theta", DataType.Float, 2, 2, 3).Initializer("size", Tensor.FromArray([2L, 1L, 3L, 4L], 4))
            .Node("AffineGrid", ["theta", "size"], ["grid"], ("align_corners", 1L)).Output("grid").Build();
        GradCheck.Assert(inputs => model.Call(inputs[0]), [Tensor.Randn(new Shape(2, 2, 3), seed: 6)]);
        var identity = model.Call(Tensor.FromArray([1f, 0f, 0f, 0f, 1f, 0f, 1f, 0f, 0f, 0f, 1f, 0f], 2, 2, 3)).ToArray();
        Assert.Equal([-1f, -1f], identity[..2]);   // top-left corner
        Assert.Equal([1f, 1f], identity[22..24]);  // bottom-right corner of the first grid
    }

    [Fact]
    public void RotaryEmbeddingRotatesPairsAndKeepsTheRest()
    {
        var model = new OnnxBuilder(23).Input("x", DataType.Float, 1, 1, 1, 6).Input("cos", DataType.Float, 1, 2).Input("sin", DataType.Float, 1, 2)
            .Initializer("positions", Tensor.FromArray([0L], 1, 1))
            .Node("RotaryEmbedding", ["x", "cos", "sin", "positions"], ["y"], ("rotary_embedding_dim", 4L)).Output("y").Build();
        var x = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 1, 1, 1, 6);
        var cos = Tensor.FromArray([0f, 0.6f], 1, 2);
        var sin = Tensor.FromArray([1f, 0.8f], 1, 2);
        // pairs (1, 3) and (2, 4): (1·0 − 3·1, 3·0 + 1·1) = (−3, 1); (2·0.6 − 4·0.8, 4·0.6 + 2·0.8) = (−2, 4)
        var y = model.Call([x, cos, sin])[0].ToArray();
        float[] expected = [-3f, -2f, 1f, 4f, 5f, 6f];
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], y[i], 5);
        GradCheck.Assert(inputs => model.Call(inputs)[0], [Tensor.Randn(new Shape(1, 1, 1, 6), seed: 7), cos, sin]);
    }

    [Fact]
    public void CumProdMatchesTheFormulaAndFiniteDifferences()
    {
        var model = new OnnxBuilder(26).Input("x", DataType.Float, 2, 3).Initializer("axis", Tensor.FromArray([1L], 1))
            .Node("CumProd", ["x", "axis"], ["y"], ("exclusive", 1L), ("reverse", 1L)).Output("y").Build();
        // reverse exclusive along rows: [x1·x2, x2, 1]
        Assert.Equal([6f, 3f, 1f, -8f, 4f, 1f], model.Call(Tensor.FromArray([1f, 2f, 3f, 5f, -2f, 4f], 2, 3)).ToArray());
        GradCheck.Assert(inputs => model.Call(inputs[0]), [Tensor.Randn(new Shape(2, 3), seed: 8)]);
    }

    // Grid points whose pixel coordinates sit between lattice points (fractional part in [0.3, 0.7]), so that small
    // finite-difference steps do not cross an interpolation cell.
    private static Tensor OffLatticeGrid(bool alignCorners)
    {
        var rng = new Random(9);
        var g = new float[18];
        for (int i = 0; i < g.Length; i++)
        {
            int n = i % 2 == 0 ? 5 : 4; // x indexes width 5, y height 4
            double p = rng.Next(-1, n) + 0.3 + 0.4 * rng.NextDouble();
            g[i] = (float)(alignCorners ? 2 * p / (n - 1) - 1 : (2 * p + 1) / n - 1);
        }
        return Tensor.FromArray(g, 1, 3, 3, 2);
    }
}
