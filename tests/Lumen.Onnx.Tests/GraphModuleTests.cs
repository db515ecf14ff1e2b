using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

public class GraphModuleTests
{
    /// <summary>y = relu(x·W + b) · 2, with every intermediate named like an exporter would.</summary>
    private static OnnxBuilder LinearRelu(object batch) => new OnnxBuilder(13)
        .Input("x", DataType.Float, batch, 3)
        .Initializer("fc.weight", Tensor.FromArray([0.5f, -1f, 0.25f, 2f, 1f, -0.5f], 3, 2))
        .Initializer("fc.bias", Tensor.FromArray([0.1f, -0.2f], 2))
        .Initializer("two", Tensor.Scalar(2f))
        .Node("MatMul", ["x", "fc.weight"], ["/fc/MatMul_output_0"])
        .Node("Add", ["/fc/MatMul_output_0", "fc.bias"], ["/fc/Add_output_0"])
        .Node("Relu", ["/fc/Add_output_0"], ["/act/Relu_output_0"])
        .Node("Mul", ["/act/Relu_output_0", "two"], ["y"])
        .Output("y", DataType.Float, batch, 2);

    [Fact]
    public void RunsForwardLikeTheFormula()
    {
        var model = LinearRelu("batch").Build();
        var x = Tensor.FromArray([1f, 2f, 3f, -1f, 0.5f, 2f], 2, 3);
        var y = model.Call(x);
        var w = Tensor.FromArray([0.5f, -1f, 0.25f, 2f, 1f, -0.5f], 3, 2);
        var expected = (x.MatMul(w) + Tensor.FromArray([0.1f, -0.2f], 2)).Relu() * 2f;
        Assert.Null(Testing.BackendTest.Compare(y, expected));
    }

    [Fact]
    public void EveryNodeOutputIsAHookPointNamedBySanitizedOutputName()
    {
        var model = LinearRelu(1).Build();
        var names = model.NamedModules().Select(m => m.Name).Where(n => n.Length > 0).ToList();
        Assert.Equal(["fc_MatMul_output_0", "fc_Add_output_0", "act_Relu_output_0", "y"], names);
        Assert.Equal(["fc_weight", "fc_bias", "two"], model.NamedParameters().Select(p => p.Name));

        var x = Tensor.FromArray([1f, 2f, 3f], 1, 3);
        Tensor? seen = null;
        using (model.Hooks.OnForward("act_Relu_output_0", (act, _) => { seen = act; }))
            model.Call(x);
        Assert.NotNull(seen);
        Assert.Equal(new Shape(1, 2), seen!.Shape);

        using (model.Hooks.OnForward("act_Relu_output_0", (act, _) => act * 0f))
            Assert.All(model.Call(x).ToArray(), v => Assert.Equal(0f, v));
        Assert.NotEqual(0f, model.Call(x).ToArray().Max());
    }

    [Fact]
    public void GradientsFlowToInputAndWeights()
    {
        var model = LinearRelu("n").Build();
        var x = Tensor.FromArray([1f, 2f, 3f, -1f, 0.5f, 2f], 2, 3).RequireGrad();
        var y = model.Call(x);
        var w = model.NamedParameters().First(p => p.Name == "fc_weight").Parameter.Value;
        var grads = Gradients.Of([y.Sum()], [x, w]);
        // d/dx sum(2·relu(xW+b)) = 2·mask·Wᵀ
        var pre = x.Detach().MatMul(w.Detach()) + Tensor.FromArray([0.1f, -0.2f], 2);
        var mask = pre.Detach().ToArray().Select(v => v > 0 ? 2f : 0f).ToArray();
        var expected = Tensor.FromArray(mask, 2, 2).MatMul(w.Detach().Permute(1, 0));
        Assert.Null(Testing.BackendTest.Compare(grads[0], expected));
        Assert.Equal(new Shape(3, 2), grads[1].Shape);
    }

    [Fact]
    public void FixedBatchOfOneRunsAnyBatchSizeThroughConstantReshape()
    {
        var model = new OnnxBuilder(13)
            .Input("x", DataType.Float, 1, 2, 3)
            .Initializer("shape", Tensor.FromArray([1L, 6L], 2))
            .Node("Reshape", ["x", "shape"], ["y"])
            .Output("y", DataType.Float, 1, 6)
            .Build();
        var y = model.Call(Tensor.Randn(new Shape(4, 2, 3), seed: 1));
        Assert.Equal(new Shape(4, 6), y.Shape);
    }

    [Fact]
    public void MultiOutputNodeAndMultipleGraphOutputs()
    {
        var model = new OnnxBuilder(13)
            .Input("x", DataType.Float, 2, 6)
            .Initializer("sizes", Tensor.FromArray([2L, 4L], 2))
            .Node("Split", ["x", "sizes"], ["a", "b"], ("axis", 1L))
            .Output("a", DataType.Float, 2, 2)
            .Output("b", DataType.Float, 2, 4)
            .Build();
        var outputs = model.Call([Tensor.Arange(12).Reshape(2, 6)]);
        Assert.Equal(new Shape(2, 2), outputs[0].Shape);
        Assert.Equal([2f, 3f, 4f, 5f, 8f, 9f, 10f, 11f], outputs[1].ToArray());
    }

    [Fact]
    public void ConstantNodesAndInitializersListedAsInputsLoad()
    {
        var builder = new OnnxBuilder(7, irVersion: 3)
            .Input("x", DataType.Float, 2)
            .Input("bias", DataType.Float, 2)
            .Initializer("bias", Tensor.FromArray([1f, 2f], 2))
            .Node("Constant", [], ["k"], ("value", Tensor.FromArray([10f, 20f], 2)))
            .Node("Add", ["x", "bias"], ["s"])
            .Node("Mul", ["s", "k"], ["y"])
            .Output("y", DataType.Float, 2);
        var model = builder.Build();
        Assert.Single(model.Model.Inputs);
        Assert.Equal([20f, 60f], model.Call(Tensor.FromArray([1f, 1f], 2)).ToArray());
    }

    /// <summary>A Constant node returns one tensor on every pass, so it is read-only like an initializer: a hook that
    /// tries to write into it gets the read-only error, and the next pass still sees the constant.</summary>
    [Fact]
    public void ConstantNodeValueIsReadOnly()
    {
        var model = new OnnxBuilder(13)
            .Input("x", DataType.Float, 2)
            .Node("Constant", [], ["k"], ("value", Tensor.FromArray([10f, 20f], 2)))
            .Node("Mul", ["x", "k"], ["y"])
            .Output("y", DataType.Float, 2)
            .Build();
        var x = Tensor.FromArray([1f, 2f], 2);
        using (model.Hooks.OnForward("k", (k, _) => k.AsSpan().Fill(0f)))
        {
            var e = Assert.Throws<OnnxException>(() => model.Call(x));
            Assert.Contains("'constant_0' (Constant", e.Message);
            Assert.Contains("is read-only", e.Message);
        }
        Assert.Equal([10f, 40f], model.Call(x).ToArray());
    }

    [Fact]
    public void UnknownOpIsReportedBeforeRunningWithFileNodeAndOp()
    {
        var builder = new OnnxBuilder(13)
            .Input("x", DataType.Float, 2)
            .Node("FrobnicateTensor", ["x"], ["y"])
            .Output("y", DataType.Float, 2);
        var info = OnnxModel.Open(new MemoryStream(builder.ToBytes()), "frob.onnx");
        var problems = info.UnsupportedNodes();
        Assert.Single(problems);
        var e = Assert.Throws<OnnxException>(() => info.ToModule());
        Assert.Contains("frob.onnx", e.Message);
        Assert.Contains("frobnicatetensor_0", e.Message);
        Assert.Contains("FrobnicateTensor", e.Message);
        Assert.Contains("opset 13", e.Message);
    }

    [Fact]
    public void UnsupportedAttributeValueIsReportedAtLoad()
    {
        var builder = new OnnxBuilder(13)
            .Input("x", DataType.Float, 1, 1, 4, 4, 4, 4)
            .Node("MaxPool", ["x"], ["y"], ("kernel_shape", new long[] { 2, 2, 2, 2 }))
            .Output("y", DataType.Float);
        var e = Assert.Throws<OnnxException>(() => builder.Build());
        Assert.Contains("4-D window", e.Message);
        Assert.Contains("MaxPool", e.Message);
    }

    [Fact]
    public void WrongInputShapeAndDtypeGiveClearErrors()
    {
        var model = LinearRelu(2).Build();
        var shapeError = Assert.Throws<OnnxException>(() => model.Call(Tensor.Zeros(2, 4)));
        Assert.Contains("test.onnx", shapeError.Message);
        Assert.Contains("'x'", shapeError.Message);
        Assert.Contains("[2, 4]", shapeError.Message);
        var dtypeError = Assert.Throws<OnnxException>(() => model.Call(Tensor.FromArray([1L, 2L, 3L, 4L, 5L, 6L], 2, 3)));
        Assert.Contains("Int64", dtypeError.Message);

        // With a symbolic batch the mismatch surfaces inside a node: the error names the node and op.
        var symbolic = new OnnxBuilder(13)
            .Input("x", DataType.Float, "n", "k")
            .Initializer("w", Tensor.Ones(3, 2))
            .Node("MatMul", ["x", "w"], ["y"])
            .Output("y", DataType.Float, "n", 2)
            .Build();
        var nodeError = Assert.Throws<OnnxException>(() => symbolic.Call(Tensor.Zeros(2, 5)));
        Assert.Contains("matmul_0", nodeError.Message);
        Assert.Contains("MatMul", nodeError.Message);
        Assert.Contains("[2, 5]", nodeError.Message);
    }

    [Fact]
    public void CorruptedAndTruncatedFilesGiveOnnxException()
    {
        var bytes = LinearRelu(1).ToBytes();
        var truncated = bytes[..(bytes.Length / 2)];
        var e = Assert.Throws<OnnxException>(() => OnnxModel.Load(new MemoryStream(truncated), "cut.onnx"));
        Assert.Contains("cut.onnx", e.Message);
        var garbage = Enumerable.Range(0, 200).Select(i => (byte)(i * 37 + 11)).ToArray();
        Assert.Throws<OnnxException>(() => OnnxModel.Load(new MemoryStream(garbage), "garbage.onnx"));
        Assert.Contains("missing.onnx", Assert.Throws<OnnxException>(() => OnnxModel.Load("missing.onnx")).Message);
    }

    [Fact]
    public void UnsupportedIrVersionIsRejected()
    {
        var bytes = new OnnxBuilder(13, irVersion: 2).Input("x", DataType.Float, 1).Node("Relu", ["x"], ["y"]).Output("y").ToBytes();
        Assert.Contains("IR version 2", Assert.Throws<OnnxException>(() => OnnxModel.Load(new MemoryStream(bytes))).Message);
    }
}
