using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

/// <summary>At pure inference, a channel Concat whose first input is a fused Conv → Relu gets its inputs written into
/// the result's array by their convolutions (copying only the others): bitwise the copy, only then, and invisible to
/// hooks.</summary>
public class ConcatInPlaceTests
{
    // a fire module: squeeze x, then expand 1×1 → Relu and 3×3 → Relu side by side, plus a plain 1×1 convolution; on
    // 8 channels the 3×3 convolution runs by Winograd, on 3 directly
    private static GraphModule Fire(long axis = 1, int channels = 3, bool threeByThreeFirst = false)
    {
        var builder = new OnnxBuilder(11)
            .Input("x", DataType.Float, "N", channels, 9, 9)
            .Initializer("w1", Tensor.Randn(new Shape(4, channels, 1, 1), seed: 1)).Initializer("b1", Tensor.Randn(new Shape(4), seed: 2))
            .Initializer("w2", Tensor.Randn(new Shape(8, channels, 3, 3), seed: 3)).Initializer("b2", Tensor.Randn(new Shape(8), seed: 4))
            .Initializer("w3", Tensor.Randn(new Shape(2, channels, 1, 1), seed: 5));
        var expand1 = (OnnxBuilder b) => b.Node("Conv", ["x", "w1", "b1"], ["c1"]).Node("Relu", ["c1"], ["a"]);
        var expand3 = (OnnxBuilder b) => b.Node("Conv", ["x", "w2", "b2"], ["c2"], ("pads", new long[] { 1, 1, 1, 1 })).Node("Relu", ["c2"], ["b"]);
        builder = threeByThreeFirst ? expand1(expand3(builder)) : expand3(expand1(builder));
        return builder.Node("Conv", ["x", "w3"], ["c"])
            .Node("Concat", ["a", "b", "c"], ["joined"], ("axis", axis)).Node("Neg", ["joined"], ["y"]).Output("y").Build();
    }

    private static Tensor Expected(Tensor x)
    {
        using var off = GradMode.Off();
        int channels = x.Shape[1];
        var a = x.Conv2d(Tensor.Randn(new Shape(4, channels, 1, 1), seed: 1), Tensor.Randn(new Shape(4), seed: 2)).Relu();
        var b = x.Conv2d(Tensor.Randn(new Shape(8, channels, 3, 3), seed: 3), Tensor.Randn(new Shape(8), seed: 4), padding: 1).Relu();
        var c = x.Conv2d(Tensor.Randn(new Shape(2, channels, 1, 1), seed: 5));
        return -Tensor.Concat([a, b, c], 1);
    }

    private static int[] Bits(Tensor t) => [.. t.ToArray().Select(BitConverter.SingleToInt32Bits)];

    [Theory]
    [InlineData(1, 3)]
    [InlineData(3, 3)]   // images interleave in the result: each written one result image apart
    [InlineData(1, 8)]   // the 3×3 input written in place by Winograd (on 3 channels directly, through a scratch copy)
    [InlineData(3, 8)]
    public void The_inputs_are_written_in_place_and_the_values_are_the_copy(int batch, int channels)
    {
        var model = Fire(channels: channels);
        var x = Tensor.Randn(new Shape(batch, channels, 9, 9), seed: 7);
        var graph = Graph.OnnxGraph.Build(model.Model);
        var pool = new StoragePool();
        for (int call = 0; call < 2; call++)   // the second call reuses the widened array from the pool
        {
            var ran = new List<string>();
            Tensor y;
            using (GradMode.Off())
            using (var scope = pool.Enter())
                y = graph.Run([x], (n, args) => { ran.Add(model.Model.Nodes[n].OpType); return graph.Kernels[n](args); }, (_, _) => true, scope)[0];
            Assert.DoesNotContain("Concat", ran);
            Assert.Equal(new Shape(batch, 14, 9, 9), y.Shape);
            Assert.Equal(Bits(Expected(x)), Bits(y));
        }
        Tensor plain;
        using (GradMode.Off()) plain = model.Call(x);
        Assert.Equal(Bits(Expected(x)), Bits(plain));
        Assert.Equal(Bits(Expected(x)), Bits(model.Call(x.Detach().RequireGrad())));
    }

    [Theory]
    [InlineData(false, new[] { 1 })]   // the 3×3 → Relu after the first input's convolution; the plain convolution is copied
    [InlineData(true, new int[0])]     // the 3×3 runs before the first input's convolution: copied
    public void Later_inputs_are_planned_in_place_only_from_fused_convolutions_that_run_after_the_first(bool threeByThreeFirst, int[] planned)
    {
        var model = Fire(channels: 8, threeByThreeFirst: threeByThreeFirst);
        var graph = Graph.OnnxGraph.Build(model.Model);
        int concat = model.Model.Nodes.ToList().FindIndex(n => n.OpType == "Concat");
        Assert.Equal(planned, graph.InputsWrittenInPlace(concat));
        var x = Tensor.Randn(new Shape(2, 8, 9, 9), seed: 10);
        using (GradMode.Off())
        using (var scope = new StoragePool().Enter())
            Assert.Equal(Bits(Expected(x)), Bits(graph.Run([x], (n, args) => graph.Kernels[n](args), (_, _) => true, scope)[0]));
    }

    [Fact]
    public void A_hook_on_the_first_producer_sees_its_own_output_and_the_result_is_unchanged()
    {
        var model = Fire();
        var x = Tensor.Randn(new Shape(1, 3, 9, 9), seed: 8);
        Tensor? seen = null;
        Tensor y;
        using (model.Hooks.OnForward("a", (Tensor t, Lumen.NN.Hooks.HookContext _) => seen = t))
        using (GradMode.Off())
            y = model.Call(x);
        Assert.NotNull(seen);
        Assert.Equal(new Shape(1, 4, 9, 9), seen.Shape);
        var own = x.Conv2d(Tensor.Randn(new Shape(4, 3, 1, 1), seed: 1), Tensor.Randn(new Shape(4), seed: 2)).Relu();
        Assert.Equal(Bits(own), Bits(seen));
        Assert.Equal(Bits(Expected(x)), Bits(y));
    }

    [Fact]
    public void Inputs_of_other_planes_are_an_error_naming_the_concat()
    {
        // the 3×3 convolution is unpadded: 7×7 planes beside the 1×1 convolution's 9×9
        var model = new OnnxBuilder(11)
            .Input("x", DataType.Float, "N", 3, 9, 9)
            .Initializer("w1", Tensor.Randn(new Shape(4, 3, 1, 1), seed: 1)).Initializer("w2", Tensor.Randn(new Shape(5, 3, 3, 3), seed: 3))
            .Node("Conv", ["x", "w1"], ["c1"]).Node("Relu", ["c1"], ["a"])
            .Node("Conv", ["x", "w2"], ["c2"]).Node("Relu", ["c2"], ["b"])
            .Node("Concat", ["a", "b"], ["joined"], ("axis", 1L)).Output("joined").Build();
        var x = Tensor.Randn(new Shape(2, 3, 9, 9), seed: 2);
        OnnxException e;
        using (GradMode.Off()) e = Assert.Throws<OnnxException>(() => model.Call(x));
        Assert.Contains("Concat", e.Message);
        Assert.Contains("do not join along axis 1", e.Message);
    }

    [Fact]
    public void A_concat_along_another_axis_is_not_planned()
    {
        var model = Fire(axis: 0);
        var graph = Graph.OnnxGraph.Build(model.Model);
        var ran = new List<string>();
        var x = Tensor.Randn(new Shape(1, 3, 9, 9), seed: 9);
        using (GradMode.Off())
        using (var scope = new StoragePool().Enter())
            Assert.Throws<OnnxException>(() => graph.Run([x], (n, args) => { ran.Add(model.Model.Nodes[n].OpType); return graph.Kernels[n](args); }, (_, _) => true, scope));
        Assert.Contains("Concat", ran);   // it ran (and refused the mismatched channels) instead of being joined in place
    }
}
