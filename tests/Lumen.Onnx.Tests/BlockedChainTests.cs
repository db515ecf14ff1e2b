using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using Xunit.Abstractions;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

/// <summary>At pure inference, chains of pointwise and 3×3 depthwise convolutions run in the channel-blocked layout
/// (OnnxGraph.Blocked.cs): close to the node-by-node run, independent of the batch and the thread count bitwise, and
/// never used when a hook or gradients could see a value (then bitwise the node-by-node run).</summary>
[Collection(BlockedSwitchCollection.Name)]
public class BlockedChainTests(ITestOutputHelper output)
{
    private static readonly Tensor W1 = Tensor.Randn(new Shape(40, 24, 1, 1), seed: 1) * 0.2f, B1 = Tensor.Randn(new Shape(40), seed: 2);
    private static readonly Tensor W2 = Tensor.Randn(new Shape(40, 1, 3, 3), seed: 3) * 0.3f;
    private static readonly Tensor W3 = Tensor.Randn(new Shape(24, 40, 1, 1), seed: 4) * 0.2f, B3 = Tensor.Randn(new Shape(24), seed: 5);
    private static readonly Tensor W4 = Tensor.Randn(new Shape(24, 1, 3, 3), seed: 6) * 0.3f, B4 = Tensor.Randn(new Shape(24), seed: 7);
    private static readonly Tensor W5 = Tensor.Randn(new Shape(160, 24, 1, 1), seed: 8) * 0.2f;

    // MobileNetV2's block: expand 1×1 + ReLU6, depthwise 3×3 + Relu, project 1×1 + the block's input; then a stride-2
    // depthwise padded as TensorFlow's SAME (0 before, 1 after) + ReLU6 and a last 1×1 without bias: one chain of five
    internal static GraphModule Blocks() => new OnnxBuilder(13)
        .Input("x", DataType.Float, "N", "C", "H", "W")   // symbolic: the chain's own checks meet a wrong input
        .Initializer("w1", W1).Initializer("b1", B1).Initializer("w2", W2).Initializer("w3", W3).Initializer("b3", B3)
        .Initializer("w4", W4).Initializer("b4", B4).Initializer("w5", W5).Initializer("lo", Tensor.Scalar(0f)).Initializer("hi", Tensor.Scalar(6f))
        .Node("Conv", ["x", "w1", "b1"], ["c1"]).Node("Clip", ["c1", "lo", "hi"], ["a1"])
        .Node("Conv", ["a1", "w2"], ["c2"], ("group", 40L), ("pads", new long[] { 1, 1, 1, 1 })).Node("Relu", ["c2"], ["a2"])
        .Node("Conv", ["a2", "w3", "b3"], ["c3"]).Node("Add", ["x", "c3"], ["s"])
        .Node("Conv", ["s", "w4", "b4"], ["c4"], ("group", 24L), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 0, 0, 1, 1 })).Node("Clip", ["c4", "lo", "hi"], ["a4"])
        .Node("Conv", ["a4", "w5"], ["y"]).Output("y").Build();

    internal static int[] Bits(Tensor t) => [.. t.ToArray().Select(BitConverter.SingleToInt32Bits)];

    /// <summary>The graph at pure inference, with the OpTypes of the nodes that ran one by one.</summary>
    private static (Tensor Y, List<string> Ran) Run(GraphModule model, Tensor x, NodeTimings? timings = null)
    {
        var graph = Graph.OnnxGraph.Build(model.Model);
        var ran = new List<string>();
        using (GradMode.Off())
        using (var scope = new StoragePool().Enter())
        {
            var y = graph.Run([x], (n, args) => { ran.Add(model.Model.Nodes[n].OpType); return graph.Kernels[n](args); }, (_, _) => true, scope, timings)[0];
            return (y.Clone(), ran);
        }
    }

    /// <summary>Whether node 0 ran as a step of a blocked chain (its timing says so).</summary>
    private static bool FirstNodeBlocked(GraphModule model, Tensor x)
    {
        var timings = model.CreateTimings();
        Run(model, x, timings);
        return timings.Shapes(0)!.Contains("blocked", StringComparison.Ordinal);
    }

    internal static double WorstRelative(Tensor expected, Tensor actual)
    {
        float[] e = expected.ToArray(), a = actual.ToArray();
        double scale = e.Max(Math.Abs), worst = 0;
        for (int i = 0; i < e.Length; i++) worst = Math.Max(worst, Math.Abs(e[i] - a[i]) / scale);
        return worst;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void The_chain_runs_blocked_close_to_the_nodes(int batch)
    {
        var model = Blocks();
        var x = Tensor.Randn(new Shape(batch, 24, 13, 11), seed: 9);
        Tensor blocked, nodes;
        List<string> ran;
        using (BlockedSwitch.Set(true)) (blocked, ran) = Run(model, x);
        Assert.True(ran.Count == 0, string.Join(",", ran));                 // every node ran inside the chain
        using (BlockedSwitch.Set(true)) Assert.True(FirstNodeBlocked(model, x));
        using (BlockedSwitch.Set(false)) (nodes, ran) = Run(model, x);
        Assert.Contains("Conv", ran);                                       // the last one, which fuses nothing
        Assert.Equal(nodes.Shape, blocked.Shape);
        Assert.True(WorstRelative(nodes, blocked) < 1e-5, $"worst relative difference {WorstRelative(nodes, blocked)}");
        Tensor reference;
        using (GradMode.Off())
        {
            var a1 = x.Conv2d(W1, B1).Clamp(0f, 6f);
            var s = a1.Conv2d(W2, null, padding: 1, groups: 40).Relu().Conv2d(W3, B3) + x;
            reference = s.Pad([0, 0, 0, 0, 0, 0, 1, 1]).Conv2d(W4, B4, stride: 2, groups: 24).Clamp(0f, 6f).Conv2d(W5);
        }
        Assert.True(WorstRelative(reference, blocked) < 1e-5, $"worst relative difference to the tensor ops {WorstRelative(reference, blocked)}");
    }

    /// <summary>The chain's scratch gives a request the shortest dead array at least as long, so a pass leaves in the pool
    /// about the values live at once (three arrays here: x, then a1 and a2 beside it), not one of each of its five
    /// lengths; the values stay bitwise those of a fresh pool.</summary>
    [Fact]
    public void A_pass_keeps_about_its_live_values_not_an_array_of_every_length()
    {
        using var on = BlockedSwitch.Set(true);
        var model = Blocks();
        var x = Tensor.Randn(new Shape(1, 24, 13, 11), seed: 15);
        Assert.True(FirstNodeBlocked(model, x));
        int lanes = System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? 16 : 8;
        int Blocked(int channels, int plane) => (channels + lanes - 1) / lanes * lanes * plane;
        long live = Blocked(24, 143) + 2L * Blocked(40, 143);                          // x, a1 and a2 (the residual keeps x)
        long everyLength = Blocked(24, 143) + 2L * Blocked(40, 143) + Blocked(24, 143) + Blocked(24, 42) + Blocked(160, 42);
        var graph = Graph.OnnxGraph.Build(model.Model);
        var pool = new StoragePool();
        Tensor first = null!, again = null!;
        for (int pass = 0; pass < 2; pass++)
            using (GradMode.Off())
            using (var scope = pool.Enter())
            {
                var y = graph.Run([x], (n, args) => graph.Kernels[n](args), (_, _) => true, scope)[0].Clone();
                if (pass == 0) first = y; else again = y;
                scope.RecycleAll();
            }
        Assert.Equal(Bits(first), Bits(again));
        Assert.Equal(Bits(Run(model, x).Y), Bits(first));
        long scratch = pool.RetainedBytes / sizeof(float) - 160 * 42;                  // less the NCHW output y
        Assert.True(scratch <= live, $"the pool keeps {scratch} floats of scratch; the values live at once are {live}, every length {everyLength}");
    }

    [Fact]
    public void Values_do_not_depend_on_the_batch_or_the_thread_count()
    {
        using var on = BlockedSwitch.Set(true);
        var model = Blocks();
        var x = Tensor.Randn(new Shape(3, 24, 13, 11), seed: 10);
        int saved = Parallelism.MaxDegree;
        try
        {
            Parallelism.MaxDegree = 2;
            var three = Run(model, x).Y;
            var alone = Run(model, x.Slice(0, 1, 2)).Y;
            Assert.Equal(Bits(three.Slice(0, 1, 2)), Bits(alone));
            Parallelism.MaxDegree = 1;
            Assert.Equal(Bits(three), Bits(Run(model, x).Y));
        }
        finally { Parallelism.MaxDegree = saved; }
    }

    [Fact]
    public void A_hook_on_an_inner_node_sees_nchw_values_and_the_chain_is_not_used()
    {
        using var on = BlockedSwitch.Set(true);
        var model = Blocks();
        var x = Tensor.Randn(new Shape(2, 24, 13, 11), seed: 11);
        Tensor? seen = null;
        Tensor hooked, nodes;
        using (GradMode.Off())
        {
            using (model.Hooks.OnForward(model.HookNameOf("a2")!, (Tensor t, Lumen.NN.Hooks.HookContext _) => seen = t.Clone()))
                hooked = model.Call(x);
            using (BlockedSwitch.Set(false)) nodes = model.Call(x);
        }
        Assert.NotNull(seen);
        Assert.Equal(new Shape(2, 40, 13, 11), seen!.Shape);
        using (GradMode.Off())
        {
            var expected = x.Conv2d(W1, B1).Clamp(0f, 6f).Conv2d(W2, null, padding: 1, groups: 40).Relu();
            Assert.Equal(Bits(expected), Bits(seen));
        }
        Assert.Equal(Bits(nodes), Bits(hooked));                                // the hook turned the chain off: bitwise the nodes
        var withGradients = model.Call(x.RequireGrad());
        Assert.Equal(Bits(nodes), Bits(withGradients));
    }

    [Fact]
    public void A_run_of_pointwise_convolutions_only_stays_nchw()
    {
        var model = new OnnxBuilder(13)                                      // SqueezeNet's squeeze → expand 1×1
            .Input("x", DataType.Float, "N", 24, 5, 6).Initializer("w1", W1).Initializer("b1", B1).Initializer("w3", W3)
            .Node("Conv", ["x", "w1", "b1"], ["c1"]).Node("Relu", ["c1"], ["a1"]).Node("Conv", ["a1", "w3"], ["c3"]).Node("Relu", ["c3"], ["y"])
            .Output("y").Build();
        var x = Tensor.Randn(new Shape(2, 24, 5, 6), seed: 15);
        Tensor on, off;
        using (BlockedSwitch.Set(true)) Assert.False(FirstNodeBlocked(model, x));
        using (BlockedSwitch.Set(true)) on = Run(model, x).Y;
        using (BlockedSwitch.Set(false)) off = Run(model, x).Y;
        Assert.Equal(Bits(off), Bits(on));
    }

    [Fact]
    public void A_wrong_input_keeps_its_error()
    {
        var model = Blocks();
        var graph = Graph.OnnxGraph.Build(model.Model);
        var x = Tensor.Randn(new Shape(1, 16, 13, 11), seed: 12);          // 16 channels for weights of 24
        string Error(bool blocked)
        {
            using var _ = BlockedSwitch.Set(blocked);
            using var off = GradMode.Off();
            using var scope = new StoragePool().Enter();
            return Assert.ThrowsAny<Exception>(() => graph.Run([x], (n, args) => graph.Kernels[n](args), (_, _) => true, scope)).Message;
        }
        var message = Error(true);
        Assert.True(message.Contains("Conv", StringComparison.Ordinal), message);
        Assert.Equal(Error(false), message);
    }

    [SharedFact("models/imagenet/mobilenetv2-1.0-224.onnx", "data/ppm224/kitten.ppm")]
    public void MobileNetV2_blocked_is_close_to_the_nodes_and_independent_of_the_batch()
    {
        var (file, _, pixel, bgr) = RealModels.ImageNet[3];
        var model = OnnxModel.Load(SharedData.Path("models/" + file));
        var kitten = RealModels.LoadPpm(SharedData.Path("data/ppm224/kitten.ppm"), pixel, bgr);
        var batch = Tensor.Concat([Tensor.Randn(kitten.Shape, seed: 13), kitten, Tensor.Randn(kitten.Shape, seed: 14)], 0);
        var (blocked, ran) = Run(model, kitten);
        using (BlockedSwitch.Set(true)) (blocked, ran) = Run(model, kitten);
        Assert.Equal(["GlobalAveragePool", "Conv", "Flatten"], ran);          // the logits' 1×1 follows the pool
        using (BlockedSwitch.Set(true)) Assert.True(FirstNodeBlocked(model, kitten));   // the 3-channel stem starts the chain (BlockedDirect)
        Tensor nodes;
        using (BlockedSwitch.Set(false)) nodes = Run(model, kitten).Y;
        double worst = WorstRelative(nodes, blocked);
        output.WriteLine($"MobileNetV2 kitten logits: worst |blocked − nodes| / max |logit| = {worst:E2}");
        Assert.True(worst < 1e-5, $"worst relative difference {worst}");
        using (BlockedSwitch.Set(true)) Assert.Equal(Bits(blocked), Bits(Run(model, batch).Y.Slice(0, 1, 2)));
    }
}
