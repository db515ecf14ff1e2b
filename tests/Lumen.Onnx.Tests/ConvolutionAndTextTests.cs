using Lumen.Tensors;
using Lumen.Tensors.Tests;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

/// <summary>DeformConv, 3-D ConvTranspose, TfIdfVectorizer and MelWeightMatrix against hand-computed values, and the
/// convolutions' gradients against finite differences.</summary>
public class ConvolutionAndTextTests
{
    [Fact]
    public void DeformConvWithZeroOffsetsIsAConvolutionAndHalfPixelOffsetsInterpolate()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f], 1, 1, 3, 3);
        GraphModule Model() => new OnnxBuilder(19).Input("x", DataType.Float, 1, 1, 3, 3).Input("w", DataType.Float, 1, 1, 1, 1).Input("offset", DataType.Float, 1, 2, 3, 3)
            .Node("DeformConv", ["x", "w", "offset"], ["y"], ("kernel_shape", new long[] { 1, 1 })).Output("y").Build();
        var w = Tensor.FromArray([2f], 1, 1, 1, 1);
        Assert.Equal(x.ToArray().Select(v => 2f * v), Model().Call([x, w, Tensor.Zeros(1, 2, 3, 3)])[0].ToArray());
        // Δx = 0.5 everywhere: each output is 2·(x[r, c] + x[r, c + 1])/2; past the last column the right tap reads 0.
        var shifted = Model().Call([x, w, Tensor.Concat([Tensor.Zeros(1, 1, 3, 3), Tensor.Full(new Shape(1, 1, 3, 3), 0.5f)], 1)])[0].ToArray();
        Assert.Equal([3f, 5f, 3f, 9f, 11f, 6f, 15f, 17f, 9f], shifted);
    }

    [Fact]
    public void DeformConvGradientMatchesFiniteDifferences()
    {
        var model = new OnnxBuilder(19).Input("x", DataType.Float, 1, 4, 4, 4).Input("w", DataType.Float, 2, 2, 2, 2).Input("offset", DataType.Float, 1, 16, 3, 3)
            .Input("b", DataType.Float, 2).Input("mask", DataType.Float, 1, 8, 3, 3)
            .Node("DeformConv", ["x", "w", "offset", "b", "mask"], ["y"], ("kernel_shape", new long[] { 2, 2 }), ("group", 2L), ("offset_group", 2L)).Output("y").Build();
        // Offsets kept away from integers, where the bilinear weights have kinks.
        var offset = Tensor.Rand(new Shape(1, 16, 3, 3), seed: 31, low: 0.2f, high: 0.8f);
        GradCheck.Assert(v => model.Call(v)[0], [Tensor.Randn(new Shape(1, 4, 4, 4), seed: 32), Tensor.Randn(new Shape(2, 2, 2, 2), seed: 33), offset,
            Tensor.Randn(new Shape(2), seed: 34), Tensor.Rand(new Shape(1, 8, 3, 3), seed: 35)], eps: 1e-3f);
    }

    [Fact]
    public void ThreeDimensionalConvTransposeSpreadsTheInput()
    {
        // A 1×1×1 kernel of weight 2 with stride 2 puts 2·x at even positions of every axis and zeros between.
        var model = new OnnxBuilder(22).Input("x", DataType.Float, 1, 1, 2, 1, 2).Initializer("w", Tensor.FromArray([2f], 1, 1, 1, 1, 1))
            .Node("ConvTranspose", ["x", "w"], ["y"], ("strides", new long[] { 2, 2, 2 })).Output("y").Build();
        var y = model.Call(Tensor.FromArray([1f, 2f, 3f, 4f], 1, 1, 2, 1, 2));
        Assert.Equal(new Shape(1, 1, 3, 1, 3), y.Shape);
        Assert.Equal([2f, 0f, 4f, 0f, 0f, 0f, 6f, 0f, 8f], y.ToArray());
    }

    [Fact]
    public void ThreeDimensionalConvTransposeGradientMatchesFiniteDifferences()
    {
        var model = new OnnxBuilder(22).Input("x", DataType.Float, 1, 2, 2, 3, 2).Input("w", DataType.Float, 2, 2, 2, 2, 2).Input("b", DataType.Float, 4)
            .Node("ConvTranspose", ["x", "w", "b"], ["y"], ("strides", new long[] { 2, 1, 2 }), ("dilations", new long[] { 2, 1, 1 }), ("group", 2L),
                ("pads", new long[] { 1, 0, 0, 0, 1, 1 }), ("output_padding", new long[] { 1, 0, 1 })).Output("y").Build();
        GradCheck.Assert(v => model.Call(v)[0], [Tensor.Randn(new Shape(1, 2, 2, 3, 2), seed: 36), Tensor.Randn(new Shape(2, 2, 2, 2, 2), seed: 37), Tensor.Randn(new Shape(4), seed: 38)]);
    }

    [Fact]
    public void TfIdfVectorizerCountsSkippedBigramsPerRow()
    {
        // Pool: unigram 7 → column 0, bigram (1, 2) → column 1. Row [1, 2, 1, 9, 2]: (1, 2) at skip 0 (tokens 0, 1) and at
        // skip 1 (tokens 2, 4); skip 2 pairs (1, 9) and (2, 2) do not match. Row [7, 7, 1, 1, 1]: two 7s, no bigram.
        var model = new OnnxBuilder(9).Input("x", DataType.Int64, 2, 5)
            .Node("TfIdfVectorizer", ["x"], ["y"], ("min_gram_length", 1L), ("max_gram_length", 2L), ("max_skip_count", 2L), ("mode", "TF"),
                ("ngram_counts", new long[] { 0, 1 }), ("ngram_indexes", new long[] { 0, 1 }), ("pool_int64s", new long[] { 7, 1, 2 }))
            .Output("y").Build();
        var y = model.Call(Tensor.FromArray([1L, 2L, 1L, 9L, 2L, 7L, 7L, 1L, 1L, 1L], 2, 5));
        Assert.Equal([0f, 2f, 2f, 0f], y.ToArray());
    }

    [Fact]
    public void MelWeightMatrixFiltersAreTriangles()
    {
        var model = new OnnxBuilder(17).Initializer("bins", Tensor.FromArray([2L], 1).Reshape()).Initializer("dft", Tensor.FromArray([16L], 1).Reshape())
            .Initializer("rate", Tensor.FromArray([8000L], 1).Reshape()).Initializer("lo", Tensor.Scalar(0f)).Initializer("hi", Tensor.Scalar(4000f))
            .Node("MelWeightMatrix", ["bins", "dft", "rate", "lo", "hi"], ["w"]).Output("w").Build();
        var w = model.Call([])[0];
        Assert.Equal(new Shape(9, 2), w.Shape);
        // Every filter peaks at 1 and is 0 away from its support; weights lie in [0, 1].
        var values = w.ToArray();
        Assert.All(values, v => Assert.InRange(v, 0f, 1f));
        for (int filter = 0; filter < 2; filter++) Assert.Equal(1f, Enumerable.Range(0, 9).Max(r => values[r * 2 + filter]));
    }
}
