using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

/// <summary>At pure inference, Conv → Relu → MaxPool on a first layer (the direct convolution path) runs as one pass
/// that pools each band of the convolution's rows while they are in cache: bitwise the nodes in sequence, at any batch,
/// and only where nothing else reads or hooks the convolution's values.</summary>
public class ConvPoolFusionTests
{
    private static GraphModule Stem(bool indices = false)
    {
        var builder = new OnnxBuilder(12)
            .Input("x", DataType.Float, "N", 3, 23, 21)
            .Initializer("w", Tensor.Randn(new Shape(8, 3, 3, 3), seed: 1)).Initializer("b", Tensor.Randn(new Shape(8), seed: 2))
            .Node("Conv", ["x", "w", "b"], ["c"], ("strides", new long[] { 2, 2 })).Node("Relu", ["c"], ["r"]);
        builder = indices
            ? builder.Node("MaxPool", ["r"], ["p", "i"], ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("ceil_mode", 1L))
            : builder.Node("MaxPool", ["r"], ["p"], ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("ceil_mode", 1L));
        return builder.Node("Neg", ["p"], ["y"]).Output("y").Build();
    }

    private static Tensor Expected(Tensor x)
    {
        using var off = GradMode.Off();
        var c = x.Conv2d(Tensor.Randn(new Shape(8, 3, 3, 3), seed: 1), Tensor.Randn(new Shape(8), seed: 2), stride: 2).Relu();
        return -c.MaxPool2d(3, 2, ceilMode: true);
    }

    private static int[] Bits(Tensor t) => [.. t.ToArray().Select(BitConverter.SingleToInt32Bits)];

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void The_pooled_convolution_is_bitwise_the_nodes_and_the_pool_node_does_not_run(int batch)
    {
        var model = Stem();
        var graph = Graph.OnnxGraph.Build(model.Model);
        Assert.Equal(2, graph.PooledInto(0));
        var x = Tensor.Randn(new Shape(batch, 3, 23, 21), seed: 3);
        var ran = new List<string>();
        Tensor y;
        using (GradMode.Off())
        using (var scope = new StoragePool().Enter())
            y = graph.Run([x], (n, args) => { ran.Add(model.Model.Nodes[n].OpType); return graph.Kernels[n](args); }, (_, _) => true, scope)[0];
        Assert.DoesNotContain("MaxPool", ran);
        Assert.Equal(Bits(Expected(x)), Bits(y));
        using (GradMode.Off()) Assert.Equal(Bits(Expected(x)), Bits(model.Call(x)));
        Assert.Equal(Bits(Expected(x)), Bits(model.Call(x.Detach().RequireGrad())));   // recorded: the nodes one by one
    }

    [Fact]
    public void A_hook_on_the_activation_sees_its_own_values_and_the_result_is_unchanged()
    {
        var model = Stem();
        var x = Tensor.Randn(new Shape(2, 3, 23, 21), seed: 4);
        Tensor? seen = null;
        Tensor y;
        using (model.Hooks.OnForward("r", (Tensor t, Lumen.NN.Hooks.HookContext _) => seen = t))
        using (GradMode.Off())
            y = model.Call(x);
        Assert.Equal(new Shape(2, 8, 11, 10), seen!.Shape);
        Assert.Equal(Bits(Expected(x)), Bits(y));
    }

    [Fact]
    public void A_pool_whose_indices_are_read_is_not_planned()
    {
        var graph = Graph.OnnxGraph.Build(Stem(indices: true).Model);
        Assert.Equal(-1, graph.PooledInto(0));
    }
}
