using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

/// <summary>At pure inference, a residual Add whose operand is a Conv's output that nothing else reads is summed by
/// that Conv as it writes: bitwise the two nodes, only then, and invisible to hooks and gradients.</summary>
[Collection(BlockedSwitchCollection.Name)]
public class ResidualSumTests
{
    private static readonly Tensor W1 = Tensor.Randn(new Shape(8, 8, 1, 1), seed: 1), B1 = Tensor.Randn(new Shape(8), seed: 2);
    private static readonly Tensor W2 = Tensor.Randn(new Shape(8, 8, 1, 1), seed: 3), B2 = Tensor.Randn(new Shape(8), seed: 4);
    private static readonly Tensor W3 = Tensor.Randn(new Shape(8, 1, 3, 3), seed: 5);
    private static readonly Tensor W4 = Tensor.Randn(new Shape(8, 8, 3, 3), seed: 6), B4 = Tensor.Randn(new Shape(8), seed: 7);

    // a = Relu(conv1 x); s = conv2(a) + a (MobileNetV2's order); t = s + depthwise(s) (the conv second, no bias);
    // u = conv4 3×3(t) + t; plus an Add of a convolution to itself and one that broadcasts, neither planned
    private static GraphModule Blocks() => new OnnxBuilder(13)
        .Input("x", DataType.Float, "N", 8, 9, 7)
        .Initializer("w1", W1).Initializer("b1", B1).Initializer("w2", W2).Initializer("b2", B2).Initializer("w3", W3)
        .Initializer("w4", W4).Initializer("b4", B4).Initializer("k", Tensor.Randn(new Shape(1, 8, 1, 1), seed: 8))
        .Node("Conv", ["x", "w1", "b1"], ["c1"]).Node("Relu", ["c1"], ["a"])
        .Node("Conv", ["a", "w2", "b2"], ["c2"]).Node("Add", ["c2", "a"], ["s"])
        .Node("Conv", ["s", "w3"], ["c3"], ("group", 8L), ("pads", new long[] { 1, 1, 1, 1 })).Node("Add", ["s", "c3"], ["t"])
        .Node("Conv", ["t", "w4", "b4"], ["c4"], ("pads", new long[] { 1, 1, 1, 1 })).Node("Add", ["c4", "t"], ["u"])
        .Node("Conv", ["u", "w2"], ["c5"]).Node("Add", ["c5", "c5"], ["v"])
        .Node("Conv", ["v", "w2"], ["c6"]).Node("Add", ["c6", "k"], ["y"]).Output("y").Build();

    private static Tensor Expected(Tensor x)
    {
        using var off = GradMode.Off();
        var a = x.Conv2d(W1, B1).Relu();
        var s = a.Conv2d(W2, B2) + a;
        var t = s + s.Conv2d(W3, null, padding: 1, groups: 8);
        var u = t.Conv2d(W4, B4, padding: 1) + t;
        var c5 = u.Conv2d(W2);
        var v = c5 + c5;
        return v.Conv2d(W2) + Tensor.Randn(new Shape(1, 8, 1, 1), seed: 8);
    }

    private static int[] Bits(Tensor t) => [.. t.ToArray().Select(BitConverter.SingleToInt32Bits)];

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Three_adds_are_summed_by_their_convolutions_and_the_values_are_the_nodes(int batch)
    {
        var model = Blocks();
        var x = Tensor.Randn(new Shape(batch, 8, 9, 7), seed: 9);
        var graph = Graph.OnnxGraph.Build(model.Model);
        var ran = new List<string>();
        Tensor y;
        using (GradMode.Off())
        using (var scope = new StoragePool().Enter())
            y = graph.Run([x], (n, args) => { ran.Add(model.Model.Nodes[n].OpType); return graph.Kernels[n](args); }, (_, _) => true, scope)[0];
        Assert.Equal(2, ran.Count(op => op == "Add"));      // the Add of c5 to itself and the broadcasting one
        Assert.Equal(Bits(Expected(x)), Bits(y));
        Tensor plain;
        using (GradMode.Off()) plain = model.Call(x);
        Assert.Equal(Bits(Expected(x)), Bits(plain));
    }

    [Fact]
    public void Not_summed_without_a_pool_scope_and_still_right_with_gradients()
    {
        var model = Blocks();
        var x = Tensor.Randn(new Shape(2, 8, 9, 7), seed: 10);
        var graph = Graph.OnnxGraph.Build(model.Model);
        var ran = new List<string>();
        using (GradMode.Off())
            graph.Run([x], (n, args) => { ran.Add(model.Model.Nodes[n].OpType); return graph.Kernels[n](args); }, (_, _) => true);
        Assert.Equal(5, ran.Count(op => op == "Add"));
        var input = x.Detach().RequireGrad();
        var y = model.Call(input);
        Assert.Equal(Bits(Expected(x)), Bits(y));
        y.Sum().Backward();
        var reference = x.Detach().RequireGrad();
        var a = reference.Conv2d(W1, B1).Relu();
        var s = a.Conv2d(W2, B2) + a;
        var t = s + s.Conv2d(W3, null, padding: 1, groups: 8);
        var u = t.Conv2d(W4, B4, padding: 1) + t;
        var c5 = u.Conv2d(W2);
        ((c5 + c5).Conv2d(W2) + Tensor.Randn(new Shape(1, 8, 1, 1), seed: 8)).Sum().Backward();
        Assert.Equal(Bits(reference.Grad!), Bits(input.Grad!));
    }

    [Fact]
    public void A_hook_on_the_convolution_sees_its_own_output_and_the_result_is_unchanged()
    {
        var model = Blocks();
        var x = Tensor.Randn(new Shape(1, 8, 9, 7), seed: 11);
        Tensor? seen = null;
        Tensor y;
        using (model.Hooks.OnForward(model.HookNameOf("c2")!, (Tensor t, Lumen.NN.Hooks.HookContext _) => seen = t))
        using (GradMode.Off())
            y = model.Call(x);
        Assert.NotNull(seen);
        using (GradMode.Off())
        {
            var a = x.Conv2d(W1, B1).Relu();
            Assert.Equal(Bits(a.Conv2d(W2, B2)), Bits(seen));
        }
        Assert.Equal(Bits(Expected(x)), Bits(y));
    }

    [SharedFact("models/imagenet/mobilenetv2-1.0-224.onnx", "data/ppm224/kitten.ppm")]
    public void MobileNetV2_sums_its_ten_adds_and_gives_bitwise_the_unfused_logits()
    {
        using var nchw = BlockedSwitch.Set(false);   // the blocked layout rounds otherwise (BlockedChainTests)
        var (file, _, pixel, bgr) = RealModels.ImageNet[3];
        var model = OnnxModel.Load(SharedData.Path("models/" + file));
        var kitten = RealModels.LoadPpm(SharedData.Path("data/ppm224/kitten.ppm"), pixel, bgr);
        var batch = Tensor.Concat([kitten, Tensor.Randn(kitten.Shape, seed: 5)], 0);
        var graph = Graph.OnnxGraph.Build(model.Model);
        foreach (var x in new[] { kitten, batch })
        {
            var ran = new List<string>();
            Tensor fused, unfused;
            using (GradMode.Off())
            {
                using (var scope = new StoragePool().Enter())
                    fused = graph.Run([x], (n, args) => { ran.Add(model.Model.Nodes[n].OpType); return graph.Kernels[n](args); }, (_, _) => true, scope)[0];
                using (model.Hooks.OnForward(model.HookNameOf(model.Model.Nodes[0].Outputs[0])!, (Tensor _, Lumen.NN.Hooks.HookContext _) => { }))
                    unfused = model.Call(x);                              // a hook anywhere: every node runs as it is
            }
            Assert.Equal(10, model.Model.Nodes.Count(node => node.OpType == "Add"));
            Assert.DoesNotContain("Add", ran);
            Assert.Equal(Bits(unfused), Bits(fused));
        }
    }
}
