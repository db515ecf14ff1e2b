using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

/// <summary><see cref="GraphModule.Timings"/>: a per-node profile of forward passes that changes no value.</summary>
public class NodeTimingsTests
{
    private static GraphModule Model() => new OnnxBuilder(13)
        .Input("x", DataType.Float, 2, 3, 9, 9)
        .Initializer("w", Tensor.Randn(new Shape(4, 3, 3, 3), seed: 5))
        .Node("Conv", ["x", "w"], ["y"], ("pads", new long[] { 1, 1, 1, 1 }))
        .Node("Relu", ["y"], ["r"])
        .Node("Sigmoid", ["r"], ["z"])
        .Output("z", DataType.Float, 2, 4, 9, 9).Build();

    [Fact]
    public void Timed_passes_give_the_same_values_and_count_every_node()
    {
        var model = Model();
        var x = Tensor.Randn(new Shape(2, 3, 9, 9), seed: 7);
        Tensor plain, timed, recorded;
        using (GradMode.Off()) plain = model.Call(x);
        var timings = model.CreateTimings();
        model.Timings = timings;
        using (GradMode.Off()) timed = model.Call(x);
        recorded = model.Call(x.RequireGrad());
        Assert.Equal(plain.ToArray(), timed.ToArray());
        Assert.Equal(plain.ToArray(), recorded.ToArray());
        Assert.Equal(2, timings.Passes);
        Assert.True(timings.MeanMilliseconds(0) > 0, "the convolution's time was not recorded");
        var report = timings.Report();
        Assert.Contains("[2, 3, 9, 9] [4, 3, 3, 3] → [2, 4, 9, 9]", report, StringComparison.Ordinal);
        Assert.Contains("2 pass(es)", report, StringComparison.Ordinal);
        foreach (var op in new[] { "Conv", "Relu", "Sigmoid" }) Assert.Contains(op, report, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => timings.Report(0));
        timings.Reset();
        Assert.Equal(0, timings.Passes);
        Assert.Equal(0, timings.MeanMilliseconds(0));
        model.Timings = null;
        using (GradMode.Off()) model.Call(x);
        Assert.Equal(0, timings.Passes);
    }

    [Fact]
    public void The_report_gives_each_node_its_median_so_one_slow_pass_does_not_move_it()
    {
        var timings = Model().CreateTimings();
        long ms = System.Diagnostics.Stopwatch.Frequency / 1000;
        foreach (long elapsed in new[] { 2 * ms, 3 * ms, 100 * ms })        // one pass slowed by outside load
        {
            timings.Add(0, elapsed, "[1] → [1]");
            timings.EndPass();
        }
        Assert.Equal(3, timings.MedianMilliseconds(0), 6);
        Assert.Equal(35, timings.MeanMilliseconds(0), 6);
        Assert.Equal(0, timings.MedianMilliseconds(1));
        Assert.Contains("3.000 ms per pass in nodes (sum of node medians; mean 35.000 ms)", timings.Report(), StringComparison.Ordinal);
    }
}
