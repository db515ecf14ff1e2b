using Lumen.Tensors;
using Lumen.Tensors.Tests;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

/// <summary>LinearAttention, CausalConvWithState and the gather-based pools (3-D, dilated, MaxPool Indices) against
/// hand-computed values, and their gradients against finite differences.</summary>
public class StreamingAndPoolingTests
{
    [Fact]
    public void LinearAttentionLinearRuleAccumulatesOuterProducts()
    {
        // One head, d_k = d_v = 1, scale 1: S₁ = k₁v₁ = 3, o₁ = q₁S₁ = 3; S₂ = 3 + 4 = 7, o₂ = 2·7 = 14.
        var model = new OnnxBuilder(27).Input("q", DataType.Float, 1, 2, 1).Input("k", DataType.Float, 1, 2, 1).Input("v", DataType.Float, 1, 2, 1)
            .Node("LinearAttention", ["q", "k", "v"], ["y", "state"], ("update_rule", "linear"), ("q_num_heads", 1L), ("kv_num_heads", 1L), ("scale", 1f))
            .Output("y").Output("state").Build();
        var outputs = model.Call([Tensor.FromArray([1f, 2f], 1, 2, 1), Tensor.FromArray([1f, 1f], 1, 2, 1), Tensor.FromArray([3f, 4f], 1, 2, 1)]);
        Assert.Equal([3f, 14f], outputs[0].ToArray());
        Assert.Equal(new Shape(1, 1, 1, 1), outputs[1].Shape);
        Assert.Equal([7f], outputs[1].ToArray());
    }

    [Fact]
    public void LinearAttentionDeltaRuleWritesTheCorrection()
    {
        // S₀ = 2 (past), k = 1, v = 5, β = 0.5: S₁ = S₀ + k·β·(v − S₀k) = 2 + 0.5·3 = 3.5; o = q·S₁ = 3.5.
        var model = new OnnxBuilder(27).Input("q", DataType.Float, 1, 1, 1).Input("k", DataType.Float, 1, 1, 1).Input("v", DataType.Float, 1, 1, 1)
            .Input("past", DataType.Float, 1, 1, 1, 1).Input("beta", DataType.Float, 1, 1, 1)
            .Node("LinearAttention", ["q", "k", "v", "past", "", "beta"], ["y", "state"], ("update_rule", "delta"), ("q_num_heads", 1L), ("kv_num_heads", 1L), ("scale", 1f))
            .Output("y").Output("state").Build();
        var one = Tensor.FromArray([1f], 1, 1, 1);
        var outputs = model.Call([one, one, Tensor.FromArray([5f], 1, 1, 1), Tensor.FromArray([2f], 1, 1, 1, 1), Tensor.FromArray([0.5f], 1, 1, 1)]);
        Assert.Equal([3.5f], outputs[0].ToArray());
        Assert.Equal([3.5f], outputs[1].ToArray());
    }

    [Fact]
    public void LinearAttentionGatedDeltaGradientMatchesFiniteDifferences()
    {
        // Grouped-query heads (4 query heads on 2 kv heads), per-feature log decay, per-head β.
        var model = new OnnxBuilder(27).Input("q", DataType.Float, 1, 3, 8).Input("k", DataType.Float, 1, 3, 4).Input("v", DataType.Float, 1, 3, 4)
            .Input("decay", DataType.Float, 1, 3, 4).Input("beta", DataType.Float, 1, 3, 2)
            .Node("LinearAttention", ["q", "k", "v", "", "decay", "beta"], ["y", "state"], ("q_num_heads", 4L), ("kv_num_heads", 2L))
            .Output("y").Output("state").Build();
        Tensor[] inputs = [Tensor.Randn(new Shape(1, 3, 8), seed: 1), Tensor.Randn(new Shape(1, 3, 4), seed: 2) * 0.5f, Tensor.Randn(new Shape(1, 3, 4), seed: 3),
            Tensor.Rand(new Shape(1, 3, 4), seed: 4, low: -1f, high: 0f), Tensor.Rand(new Shape(1, 3, 2), seed: 5)];
        GradCheck.Assert(x => model.Call(x)[0], inputs);
        GradCheck.Assert(x => model.Call(x)[1], inputs);
    }

    [Fact]
    public void CausalConvWithStateReadsZerosOrThePastOnTheLeft()
    {
        // w = [10, 1]: y[t] = 10·p[t] + p[t+1] over p = [past ‖ x]; the new state is the last column of p.
        var model = new OnnxBuilder(27).Input("x", DataType.Float, 1, 1, 3).Input("w", DataType.Float, 1, 1, 2)
            .Node("CausalConvWithState", ["x", "w"], ["y", "state"]).Output("y").Output("state").Build();
        var outputs = model.Call([Tensor.FromArray([1f, 2f, 3f], 1, 1, 3), Tensor.FromArray([10f, 1f], 1, 1, 2)]);
        Assert.Equal([1f, 12f, 23f], outputs[0].ToArray());
        Assert.Equal([3f], outputs[1].ToArray());

        var withPast = new OnnxBuilder(27).Input("x", DataType.Float, 1, 1, 1).Input("w", DataType.Float, 1, 1, 2).Input("past", DataType.Float, 1, 1, 1)
            .Node("CausalConvWithState", ["x", "w", "", "past"], ["y", "state"]).Output("y").Output("state").Build();
        var step = withPast.Call([Tensor.FromArray([4f], 1, 1, 1), Tensor.FromArray([10f, 1f], 1, 1, 2), Tensor.FromArray([3f], 1, 1, 1)]);
        Assert.Equal([34f], step[0].ToArray());
        Assert.Equal([4f], step[1].ToArray());
    }

    [Fact]
    public void CausalConvWithStateGradientMatchesFiniteDifferences()
    {
        var model = new OnnxBuilder(27).Input("x", DataType.Float, 2, 3, 5).Input("w", DataType.Float, 3, 1, 3).Input("b", DataType.Float, 3)
            .Input("past", DataType.Float, 2, 3, 2)
            .Node("CausalConvWithState", ["x", "w", "b", "past"], ["y", "state"], ("activation", "silu")).Output("y").Output("state").Build();
        GradCheck.Assert(x => model.Call(x)[0], [Tensor.Randn(new Shape(2, 3, 5), seed: 6), Tensor.Randn(new Shape(3, 1, 3), seed: 7),
            Tensor.Randn(new Shape(3), seed: 8), Tensor.Randn(new Shape(2, 3, 2), seed: 9)]);
    }

    [Fact]
    public void ThreeDimensionalPoolsMatchHandValues()
    {
        // x = 0…7 on a 2×2×2 cube; one 2×2×2 window: max 7, mean 3.5, L2 = √140.
        var x = Tensor.Arange(8).Reshape(1, 1, 2, 2, 2);
        float Pool(string op, params (string, object)[] extra) =>
            new OnnxBuilder(22).Input("x", DataType.Float, 1, 1, 2, 2, 2).Node(op, ["x"], ["y"], [("kernel_shape", new long[] { 2, 2, 2 }), .. extra]).Output("y").Build()
                .Call(x).ToArray().Single();
        Assert.Equal(7f, Pool("MaxPool"));
        Assert.Equal(3.5f, Pool("AveragePool"));
        Assert.Equal(MathF.Sqrt(140f), Pool("LpPool"), 5);
        // One pad voxel on every side with stride 2 gives 2×2×2 windows of one input voxel each (the corners):
        // excluded padding averages to the voxel, included padding divides by 8.
        var padded = new OnnxBuilder(22).Input("x", DataType.Float, 1, 1, 2, 2, 2)
            .Node("AveragePool", ["x"], ["y"], ("kernel_shape", new long[] { 2, 2, 2 }), ("strides", new long[] { 2, 2, 2 }),
                ("pads", new long[] { 1, 1, 1, 1, 1, 1 }), ("count_include_pad", 1L)).Output("y").Build();
        Assert.Equal([0f, 1f / 8, 2f / 8, 3f / 8, 4f / 8, 5f / 8, 6f / 8, 7f / 8], padded.Call(x).ToArray());
    }

    [Fact]
    public void MaxPoolIndicesAreRowOrColumnMajor()
    {
        // 3×3 input 0…8, 2×2 windows, stride 1: maxima at (1,1), (1,2), (2,1), (2,2).
        GraphModule Model(long order) => new OnnxBuilder(12).Input("x", DataType.Float, 1, 1, 3, 3)
            .Node("MaxPool", ["x"], ["y", "i"], ("kernel_shape", new long[] { 2, 2 }), ("storage_order", order)).Output("y").Output("i", DataType.Int64).Build();
        var x = Tensor.Arange(9).Reshape(1, 1, 3, 3);
        var rowMajor = Model(0).Call([x]);
        Assert.Equal([4f, 5f, 7f, 8f], rowMajor[0].ToArray());
        Assert.Equal([4L, 5L, 7L, 8L], rowMajor[1].ToInt64Array());
        Assert.Equal([4L, 7L, 5L, 8L], Model(1).Call([x])[1].ToInt64Array()); // column-major: w·H + h
    }

    [Theory]
    [InlineData("MaxPool")]
    [InlineData("AveragePool")]
    [InlineData("LpPool")]
    public void DilatedThreeDimensionalPoolGradientMatchesFiniteDifferences(string op)
    {
        var model = new OnnxBuilder(22).Input("x", DataType.Float, 1, 2, 4, 4, 3)
            .Node(op, ["x"], ["y"], ("kernel_shape", new long[] { 2, 2, 2 }), ("dilations", new long[] { 2, 1, 1 }), ("ceil_mode", 1L),
                ("strides", new long[] { 1, 2, 2 }), ("pads", new long[] { 0, 1, 0, 1, 0, 0 })).Output("y").Build();
        GradCheck.Assert(x => model.Call(x[0]), [Tensor.Randn(new Shape(1, 2, 4, 4, 3), seed: 10)]);
    }

    [Theory]
    [InlineData(new[] { 1, 1000, 13, 13 })]   // SqueezeNet's head
    [InlineData(new[] { 3, 5, 7, 1 })]
    [InlineData(new[] { 2, 4, 3, 3, 3 })]
    [InlineData(new[] { 2, 3, 0, 4 })]        // empty planes: 0 / 0
    public void InferenceGlobalAveragePoolAndSoftmaxAreBitwiseTheirRecordedForms(int[] dims)
    {
        // At inference GlobalAveragePool and Softmax (opset 11: over [N, C·1·1], the last axis) run as one kernel each; the
        // recorded forms are the tensor ops.
        var model = new OnnxBuilder(11).Input("x", DataType.Float, [.. dims.Cast<object>()]).Node("GlobalAveragePool", ["x"], ["g"]).Node("Softmax", ["g"], ["y"], ("axis", 1L))
            .Output("g").Output("y").Build();
        var x = Tensor.Randn(new Shape(dims), dims.Sum()) * 3f;
        IReadOnlyList<Tensor> inference;
        using (Lumen.Tensors.Autograd.GradMode.Off()) inference = model.Call([x]);
        var recorded = model.Call([x.Detach().RequireGrad()]);
        Assert.True(recorded[1].RequiresGrad);
        for (int k = 0; k < 2; k++)
        {
            Assert.Equal(recorded[k].Shape, inference[k].Shape);
            Assert.Equal(recorded[k].ToArray().Select(BitConverter.SingleToInt32Bits), inference[k].ToArray().Select(BitConverter.SingleToInt32Bits));
        }
        if (dims[2] > 0 && dims.Aggregate(1, (a, b) => a * b) < 1000) GradCheck.Assert(v => model.Call([v[0]])[1], [x]);
    }
}
