using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

/// <summary>A recorded pass that lends pass storage (an attribution method's chunk) runs a blocked chain as one
/// recorded op whose backward pass is blocked too (OnnxGraph.BlockedGradient.cs): the input gradient close to the
/// node-by-node pass, independent of the batch and the thread count bitwise, the kept masks counted in the tape's
/// bytes; no such op without pass storage or with a hook (then bitwise the node-by-node pass), and a clear error for a
/// weight gradient.</summary>
[Collection(BlockedSwitchCollection.Name)]
public class BlockedGradientTests
{
    private static readonly GraphModule Model = BlockedChainTests.Blocks();

    /// <summary>A chain whose clamped value a1 is read twice, by a depthwise step and as a residual: its gradient is
    /// the sum of two parts, masked once the other part is in (the paths MobileNetV2 does not take).</summary>
    private static GraphModule TwoReaders() => new OnnxBuilder(13)
        .Input("x", DataType.Float, "N", "C", "H", "W")
        .Initializer("w1", Tensor.Randn(new Shape(40, 24, 1, 1), seed: 21) * 0.2f).Initializer("b1", Tensor.Randn(new Shape(40), seed: 22))
        .Initializer("w2", Tensor.Randn(new Shape(40, 1, 3, 3), seed: 23) * 0.3f)
        .Initializer("w3", Tensor.Randn(new Shape(40, 40, 1, 1), seed: 24) * 0.2f)
        .Initializer("w4", Tensor.Randn(new Shape(40, 1, 3, 3), seed: 25) * 0.3f).Initializer("w5", Tensor.Randn(new Shape(16, 40, 1, 1), seed: 26) * 0.2f)
        .Initializer("lo", Tensor.Scalar(0f)).Initializer("hi", Tensor.Scalar(6f))
        .Node("Conv", ["x", "w1", "b1"], ["c1"]).Node("Clip", ["c1", "lo", "hi"], ["a1"])
        .Node("Conv", ["a1", "w2"], ["c2"], ("group", 40L), ("pads", new long[] { 1, 1, 1, 1 })).Node("Relu", ["c2"], ["a2"])
        .Node("Conv", ["a2", "w3"], ["c3"]).Node("Add", ["c3", "a1"], ["s"])
        .Node("Conv", ["s", "w4"], ["c4"], ("group", 40L), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 0, 0, 1, 1 })).Node("Clip", ["c4", "lo", "hi"], ["a4"])
        .Node("Conv", ["a4", "w5"], ["y"]).Output("y").Build();

    /// <summary>d(Σ seed · y)/dx, and the tape's bytes, of one recorded pass, lending pass storage or not; the seed
    /// is random (the same for the same batch), or given.</summary>
    private static (Tensor Gradient, long TapeBytes) InputGradient(Tensor x, bool lend, Tensor? seed = null, GraphModule? model = null)
    {
        var input = x.Detach().RequireGrad();
        using var scope = lend ? new StoragePool().Enter() : null;
        var y = (model ?? Model).Call(input);
        seed ??= Tensor.Randn(y.Shape, seed: 11);
        return (Gradients.Of([y], [input], [seed], false)[0].Clone(), Gradients.TapeBytes(y));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void The_blocked_backward_pass_is_close_to_the_nodes(int batch)
    {
        var x = Tensor.Randn(new Shape(batch, 24, 13, 11), seed: 9);
        Tensor nodes, blocked;
        long nodeBytes, blockedBytes;
        using (BlockedSwitch.Set(false)) (nodes, nodeBytes) = InputGradient(x, lend: true);
        using (BlockedSwitch.Set(true)) (blocked, blockedBytes) = InputGradient(x, lend: true);
        Assert.Equal(nodes.Shape, blocked.Shape);
        Assert.True(BlockedChainTests.WorstRelative(nodes, blocked) < 1e-5, $"worst relative difference {BlockedChainTests.WorstRelative(nodes, blocked)}");
        // the blocked tape is the output and the kept mask bits, not every intermediate value
        long output = 4L * batch * 160 * 6 * 5;
        Assert.True(blockedBytes > output && blockedBytes < nodeBytes / 4, $"tape bytes: blocked {blockedBytes}, nodes {nodeBytes}, output {output}");
    }

    [Fact]
    public void A_value_read_twice_gets_both_parts_of_its_gradient_masked_once()
    {
        var model = TwoReaders();
        var x = Tensor.Randn(new Shape(3, 24, 9, 10), seed: 14);
        Tensor nodes, blocked;
        long nodeBytes, blockedBytes;
        using (BlockedSwitch.Set(false)) (nodes, nodeBytes) = InputGradient(x, lend: true, model: model);
        using (BlockedSwitch.Set(true)) (blocked, blockedBytes) = InputGradient(x, lend: true, model: model);
        Assert.True(blockedBytes < nodeBytes / 4, $"the chain did not run blocked (tape bytes {blockedBytes} against {nodeBytes})");
        Assert.True(BlockedChainTests.WorstRelative(nodes, blocked) < 1e-5, $"worst relative difference {BlockedChainTests.WorstRelative(nodes, blocked)}");
    }

    [Fact]
    public void The_blocked_gradient_does_not_depend_on_the_batch_or_the_thread_count()
    {
        var x = Tensor.Randn(new Shape(3, 24, 13, 11), seed: 10);
        using var on = BlockedSwitch.Set(true);
        var whole = InputGradient(x, lend: true).Gradient;
        int saved = Parallelism.MaxDegree;
        try
        {
            Parallelism.MaxDegree = 1;
            Assert.Equal(BlockedChainTests.Bits(whole), BlockedChainTests.Bits(InputGradient(x, lend: true).Gradient));
        }
        finally { Parallelism.MaxDegree = saved; }
        // each image alone, seeded with its part of the batch's seed: the batch's gradient, image by image
        var seed = Tensor.Randn(new Shape(3, 160, 6, 5), seed: 11);
        for (int n = 0; n < 3; n++)
            Assert.Equal(BlockedChainTests.Bits(whole.Slice(0, n, n + 1)), BlockedChainTests.Bits(InputGradient(x.Slice(0, n, n + 1), lend: true, seed.Slice(0, n, n + 1)).Gradient));
    }

    [Fact]
    public void Without_pass_storage_or_with_a_hook_the_pass_is_the_nodes_bitwise()
    {
        var x = Tensor.Randn(new Shape(2, 24, 13, 11), seed: 12);
        Tensor nodes;
        using (BlockedSwitch.Set(false)) nodes = InputGradient(x, lend: true).Gradient;
        using var on = BlockedSwitch.Set(true);
        Assert.Equal(BlockedChainTests.Bits(nodes), BlockedChainTests.Bits(InputGradient(x, lend: false).Gradient));
        using (Model.Hooks.OnForward(Model.HookNameOf("a2")!, (Tensor _, Lumen.NN.Hooks.HookContext _) => { }))
            Assert.Equal(BlockedChainTests.Bits(nodes), BlockedChainTests.Bits(InputGradient(x, lend: true).Gradient));
    }

    [Fact]
    public void A_weight_gradient_through_the_blocked_op_is_refused_clearly()
    {
        var x = Tensor.Randn(new Shape(1, 24, 13, 11), seed: 13);
        using var on = BlockedSwitch.Set(true);
        using var scope = new StoragePool().Enter();
        var y = Model.Call(x.Detach().RequireGrad());
        var weight = Model.Parameters().First(p => p.Value.Shape.Rank == 4).Value;
        var e = Assert.Throws<InvalidOperationException>(() => Gradients.Of([y.Sum()], [weight], null, false));
        Assert.Contains("input gradients only", e.Message);
    }

    [Fact]
    public void A_second_order_graph_through_the_blocked_op_is_refused_clearly()
    {
        var x = Tensor.Randn(new Shape(1, 24, 13, 11), seed: 15).Detach().RequireGrad();
        using var on = BlockedSwitch.Set(true);
        using var scope = new StoragePool().Enter();
        var y = Model.Call(x);
        var e = Assert.Throws<InvalidOperationException>(() => Gradients.Of([y.Sum()], [x], null, true));
        Assert.Contains("no second-order graph", e.Message);
        Assert.Contains("blocked chain of nodes", e.Message);
    }
}
