using Lumen.Tensors;
using Lumen.Tensors.Tests;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

/// <summary>If, Loop and Scan: bodies that read outer-scope values, exact results, and gradients through iterations.</summary>
public class ControlFlowTests
{
    [Fact]
    public void IfRunsTheTakenBranchWhichReadsOuterValues()
    {
        var thenBranch = new OnnxBuilder(13).Node("Mul", ["x", "x"], ["t"]).Output("t").Graph;
        var elseBranch = new OnnxBuilder(13).Node("Neg", ["x"], ["e"]).Output("e").Graph;
        var model = new OnnxBuilder(13).Input("c", DataType.Bool).Input("x", DataType.Float, 2)
            .Node("If", ["c"], ["y"], ("then_branch", thenBranch), ("else_branch", elseBranch)).Output("y").Build();
        var x = Tensor.FromArray([3f, -2f], 2);
        Assert.Equal([9f, 4f], model.Call([Tensor.FromArray([true], 1).Reshape(), x])[0].ToArray());
        Assert.Equal([-3f, 2f], model.Call([Tensor.FromArray([false], 1).Reshape(), x])[0].ToArray());
    }

    [Fact]
    public void ScanCarriesStateAndStacksOutputsWithGradients()
    {
        // state' = state · w + x_t (w from the outer scope); output_t = state'
        var body = new OnnxBuilder(16).Input("state", DataType.Float, 2).Input("xt", DataType.Float, 2)
            .Node("Mul", ["state", "w"], ["scaled"]).Node("Add", ["scaled", "xt"], ["next"]).Node("Identity", ["next"], ["out"])
            .Output("next").Output("out").Graph;
        var model = new OnnxBuilder(16).Input("init", DataType.Float, 2).Input("xs", DataType.Float, 3, 2).Input("w", DataType.Float, 2)
            .Node("Scan", ["init", "xs"], ["final", "all"], ("body", body), ("num_scan_inputs", 1L)).Output("final").Output("all").Build();
        var init = Tensor.FromArray([1f, 0f], 2);
        var xs = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 3, 2);
        var w = Tensor.FromArray([2f, 0.5f], 2);
        var outputs = model.Call([init, xs, w]);
        // column 0: 1·2+1 = 3, 3·2+3 = 9, 9·2+5 = 23; column 1: 0·.5+2 = 2, 2·.5+4 = 5, 5·.5+6 = 8.5
        Assert.Equal([23f, 8.5f], outputs[0].ToArray());
        Assert.Equal([3f, 2f, 9f, 5f, 23f, 8.5f], outputs[1].ToArray());
        GradCheck.Assert(inputs => model.Call(inputs)[1], [init, xs, w]);
    }

    [Fact]
    public void LoopRunsUntilTheTripCountAndStacksScanOutputs()
    {
        // carried' = carried + i; scan output = carried'
        var body = new OnnxBuilder(13).Input("i", DataType.Int64).Input("cond", DataType.Bool).Input("acc", DataType.Int64)
            .Node("Add", ["acc", "i"], ["next"]).Node("Identity", ["cond"], ["keep"]).Node("Identity", ["next"], ["out"])
            .Output("keep").Output("next").Output("out").Graph;
        var model = new OnnxBuilder(13).Input("m", DataType.Int64).Input("c", DataType.Bool).Input("acc0", DataType.Int64)
            .Node("Loop", ["m", "c", "acc0"], ["acc", "history"], ("body", body)).Output("acc").Output("history").Build();
        var outputs = model.Call([Tensor.FromArray([4L], 1).Reshape(), Tensor.FromArray([true], 1).Reshape(), Tensor.FromArray([10L], 1).Reshape()]);
        Assert.Equal([16L], outputs[0].ToInt64Array());
        Assert.Equal([10L, 11L, 13L, 16L], outputs[1].ToInt64Array());
    }
}
