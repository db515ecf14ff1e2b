using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using Lumen.Tensors.Tests;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

/// <summary>RNN, GRU, LSTM, seeded training-mode Dropout and the mul/max/min scatter reductions against
/// hand-computed values, and their gradients against finite differences.</summary>
public class RecurrentAndScatterTests
{
    [Fact]
    public void RnnFollowsItsRecurrence()
    {
        // h₁ = tanh(2·1), h₂ = tanh(2·(−1) + 0.5·h₁).
        var model = new OnnxBuilder(14).Input("x", DataType.Float, 2, 1, 1).Initializer("w", Tensor.FromArray([2f], 1, 1, 1))
            .Initializer("r", Tensor.FromArray([0.5f], 1, 1, 1)).Node("RNN", ["x", "w", "r"], ["y", "h"], ("hidden_size", 1L)).Output("y").Output("h").Build();
        var outputs = model.Call([Tensor.FromArray([1f, -1f], 2, 1, 1)]);
        float h1 = MathF.Tanh(2f), h2 = MathF.Tanh(-2f + 0.5f * h1);
        Assert.Equal(new Shape(2, 1, 1, 1), outputs[0].Shape);
        Assert.Equal(h1, outputs[0].ToArray()[0], 5);
        Assert.Equal(h2, outputs[0].ToArray()[1], 5);
        Assert.Equal(h2, outputs[1].ToArray()[0], 5);
    }

    [Theory]
    [InlineData("Elu")]
    [InlineData("Softplus")]
    [InlineData("Softsign")]
    public void RecurrentActivationsAreTheStandaloneOps(string activation)
    {
        // W = 1, R = 0: each step's state is f(xₜ), bit for bit the standalone op on xₜ (one implementation of each).
        float[] xs = [0f, -1e-3f, -0.5f, -3f, 2f, -30f, 25f];
        var rnn = new OnnxBuilder(14).Input("x", DataType.Float, xs.Length, 1, 1).Initializer("w", Tensor.FromArray([1f], 1, 1, 1))
            .Initializer("r", Tensor.FromArray([0f], 1, 1, 1))
            .Node("RNN", ["x", "w", "r"], ["y"], ("hidden_size", 1L), ("activations", new[] { activation })).Output("y").Build();
        var op = new OnnxBuilder(14).Input("x", DataType.Float, xs.Length).Node(activation, ["x"], ["y"]).Output("y").Build();
        Assert.Equal(op.Call(Tensor.FromArray(xs, xs.Length)).ToArray(), rnn.Call(Tensor.FromArray(xs, xs.Length, 1, 1)).ToArray());
    }

    [Fact]
    public void LstmGatesFromBiasesAlone()
    {
        // Zero weights: i = σ(bᵢ), o = σ(bₒ), f = σ(b_f), c̃ = tanh(b_c); C₁ = i·c̃ (C₀ = 0), H₁ = o·tanh(C₁).
        var bias = Tensor.FromArray([1f, -1f, 0.5f, 2f, 0f, 0f, 0f, 0f], 1, 8); // Wb (i, o, f, c) then Rb
        var model = new OnnxBuilder(14).Input("x", DataType.Float, 1, 1, 1).Initializer("w", Tensor.Zeros(1, 4, 1)).Initializer("r", Tensor.Zeros(1, 4, 1))
            .Initializer("b", bias).Node("LSTM", ["x", "w", "r", "b"], ["y", "h", "c"], ("hidden_size", 1L)).Output("y").Output("h").Output("c").Build();
        var outputs = model.Call([Tensor.FromArray([3f], 1, 1, 1)]);
        static float Sigmoid(float v) => 1f / (1f + MathF.Exp(-v));
        float c = Sigmoid(1f) * MathF.Tanh(2f), h = Sigmoid(-1f) * MathF.Tanh(c);
        Assert.Equal(c, outputs[2].ToArray()[0], 5);
        Assert.Equal(h, outputs[1].ToArray()[0], 5);
    }

    [Theory]
    [InlineData("RNN", 1)]
    [InlineData("GRU", 3)]
    [InlineData("LSTM", 4)]
    public void BidirectionalRecurrenceGradientMatchesFiniteDifferences(string op, int gates)
    {
        // Two directions, batch entries of lengths 3 and 2, initial states, GRU's linear_before_reset, LSTM peepholes.
        const int h = 2;
        var builder = new OnnxBuilder(14).Input("x", DataType.Float, 3, 2, 3).Input("w", DataType.Float, 2, gates * h, 3).Input("r", DataType.Float, 2, gates * h, h)
            .Input("b", DataType.Float, 2, 2 * gates * h).Initializer("lens", Tensor.FromArray([3L, 2L], 2)).Input("h0", DataType.Float, 2, 2, h);
        string[] inputs = ["x", "w", "r", "b", "lens", "h0"];
        if (op == "LSTM") { builder.Input("c0", DataType.Float, 2, 2, h).Input("p", DataType.Float, 2, 3 * h); inputs = [.. inputs, "c0", "p"]; }
        (string, object)[] attributes = op == "GRU" ? [("hidden_size", (long)h), ("direction", "bidirectional"), ("linear_before_reset", 1L)]
            : [("hidden_size", (long)h), ("direction", "bidirectional")];
        var model = builder.Node(op, inputs, ["y", "yh"], attributes).Output("y").Output("yh").Build();
        var values = new List<Tensor> { Tensor.Randn(new Shape(3, 2, 3), seed: 1), Tensor.Randn(new Shape(2, gates * h, 3), seed: 2) * 0.5f,
            Tensor.Randn(new Shape(2, gates * h, h), seed: 3) * 0.5f, Tensor.Randn(new Shape(2, 2 * gates * h), seed: 4) * 0.5f, Tensor.Randn(new Shape(2, 2, h), seed: 5) };
        if (op == "LSTM") values.AddRange([Tensor.Randn(new Shape(2, 2, h), seed: 6), Tensor.Randn(new Shape(2, 3 * h), seed: 7)]);
        GradCheck.Assert(x => model.Call(x)[0], [.. values]);
        // Past its length the second batch entry's output is zero.
        var y = model.Call([.. values])[0];
        Assert.All(y.Slice(0, 2, 3).Slice(2, 1, 2).ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void TrainingDropoutFollowsTheNumPyStreamOfItsSeed()
    {
        // np.random.seed(0); np.random.uniform(0, 1, 5) = [0.549, 0.715, 0.603, 0.545, 0.424]: ratio 0.5 drops the last.
        var model = new OnnxBuilder(13).Input("x", DataType.Float, 5).Initializer("ratio", Tensor.Scalar(0.5f)).Input("training", DataType.Bool)
            .Node("Dropout", ["x", "ratio", "training"], ["y", "mask"], ("seed", 0L)).Output("y").Output("mask", DataType.Bool).Build();
        var x = Tensor.FromArray([1f, 2f, 3f, 4f, 5f], 5);
        var outputs = model.Call([x, Tensor.FromArray([true], 1).Reshape()]);
        Assert.Equal([2f, 4f, 6f, 8f, 0f], outputs[0].ToArray());
        Assert.Equal([true, true, true, true, false], outputs[1].ToBoolArray());
        Assert.Equal(outputs[0].ToArray(), model.Call([x, Tensor.FromArray([true], 1).Reshape()])[0].ToArray());
        Assert.Equal(x.ToArray(), model.Call([x, Tensor.FromArray([false], 1).Reshape()])[0].ToArray());
        // The gradient is the scaled mask: 2 where kept, 0 where dropped.
        GradCheck.Assert(v => model.Call([v[0], Tensor.FromArray([true], 1).Reshape()])[0], [Tensor.Randn(new Shape(5), seed: 13)]);
    }

    [Fact]
    public void InferenceDropoutPassesItsInputThroughAndBuildsAMaskOnlyWhenAsked()
    {
        var x = Tensor.FromArray([1f, -2f, 3f, 0.5f], 2, 2);
        var plain = new OnnxBuilder(13).Input("x", DataType.Float, 2, 2).Node("Dropout", ["x"], ["y"]).Output("y").Build();
        var y = plain.Call([x]);
        Assert.Single(y);
        Assert.Equal(x.ToArray(), y[0].ToArray());
        var masked = new OnnxBuilder(13).Input("x", DataType.Float, 2, 2).Node("Dropout", ["x"], ["y", "mask"]).Output("y").Output("mask", DataType.Bool).Build();
        var outputs = masked.Call([x]);
        Assert.Equal(x.ToArray(), outputs[0].ToArray());
        Assert.Equal([true, true, true, true], outputs[1].ToBoolArray());
        Assert.Equal(x.Shape, outputs[1].Shape);
    }

    [Fact]
    public void An_inference_Dropout_whose_mask_nothing_reads_passes_its_input_through_unless_a_hook_sees_it()
    {
        // SqueezeNet names the mask of its Dropout but reads it nowhere: without hooks the graph skips the node (no
        // mask is built), values and gradients unchanged; a hook on the node still sees both outputs.
        var model = new OnnxBuilder(9).Input("x", DataType.Float, 2, 3).Node("Relu", ["x"], ["r"]).Node("Dropout", ["r"], ["d", "mask"])
            .Node("Neg", ["d"], ["y"]).Output("y").Build();
        var x = Tensor.FromArray([1f, -2f, 3f, 0.5f, -1f, 4f], 2, 3);
        var expected = new[] { -1f, 0f, -3f, -0.5f, 0f, -4f };
        using (GradMode.Off()) Assert.Equal(expected, model.Call([x])[0].ToArray());
        Assert.Equal(expected, model.Call([x])[0].ToArray());
        GradCheck.Assert(v => model.Call([v[0]])[0], [Tensor.FromArray([1f, -2f, 3f, 0.5f, -1f, 4f], 2, 3)]);
        // the graph runs the node only when its hooks forbid skipping it (mayFuse false)
        var graph = Graph.OnnxGraph.Build(model.Model);
        foreach (bool mayFuse in new[] { true, false })
        {
            var ran = new List<string>();
            using (GradMode.Off())
                Assert.Equal(expected, graph.Run([x], (n, args) => { ran.Add(model.Model.Nodes[n].OpType); return graph.Kernels[n](args); }, (_, _) => mayFuse)[0].ToArray());
            Assert.Equal(mayFuse ? ["Relu", "Neg"] : ["Relu", "Dropout", "Neg"], ran);
        }
        var seen = new List<Tensor>();
        using (model.Hooks.OnForward("d", (Tensor t, Lumen.NN.Hooks.HookContext _) => seen.Add(t)))
        using (GradMode.Off())
            Assert.Equal(expected, model.Call([x])[0].ToArray());
        Assert.Equal(2, seen.Count);
        Assert.Equal(new[] { 1f, 0f, 3f, 0.5f, 0f, 4f }, seen[0].ToArray());
        Assert.Equal(Enumerable.Repeat(true, 6), seen[1].ToBoolArray());
        // a training_mode input that is not a constant false keeps the node
        var training = new OnnxBuilder(13).Input("x", DataType.Float, 4).Input("t", DataType.Bool).Node("Dropout", ["x", "", "t"], ["d", "mask"]).Output("d").Build();
        using (GradMode.Off()) Assert.Equal([1f, 2f, 3f, 4f], training.Call([Tensor.FromArray([1f, 2f, 3f, 4f], 4), Tensor.FromArray([false], 1).Reshape()])[0].ToArray());
    }

    [Theory]
    [InlineData("mul", new[] { 6f, 2f, 12f })]
    [InlineData("max", new[] { 3f, 2f, 4f })]
    [InlineData("min", new[] { 1f, 2f, 3f })]
    public void ScatterElementsReductionsCombineRepeatedTargets(string reduction, float[] expected)
    {
        // data [1, 2, 3]; updates 2 and 3 both go to position 0, 4 to position 2.
        var model = new OnnxBuilder(18).Input("x", DataType.Float, 3).Initializer("i", Tensor.FromArray([0L, 0L, 2L], 3)).Input("u", DataType.Float, 3)
            .Node("ScatterElements", ["x", "i", "u"], ["y"], ("reduction", reduction)).Output("y").Build();
        Assert.Equal(expected, model.Call([Tensor.FromArray([1f, 2f, 3f], 3), Tensor.FromArray([2f, 3f, 4f], 3)])[0].ToArray());
    }

    [Theory]
    [InlineData("mul")]
    [InlineData("max")]
    [InlineData("min")]
    public void ScatterNdReductionGradientMatchesFiniteDifferences(string reduction)
    {
        // Rows 1 and 3 receive two updates each (row 1 twice through index −3).
        var model = new OnnxBuilder(18).Input("x", DataType.Float, 4, 3).Initializer("i", Tensor.FromArray([1L, 3L, -3L, 3L], 4, 1)).Input("u", DataType.Float, 4, 3)
            .Node("ScatterND", ["x", "i", "u"], ["y"], ("reduction", reduction)).Output("y").Build();
        GradCheck.Assert(x => model.Call(x)[0], [Tensor.Randn(new Shape(4, 3), seed: 11), Tensor.Randn(new Shape(4, 3), seed: 12)]);
    }
}
