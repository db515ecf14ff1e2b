using Lumen.Tensors;
using Lumen.Tensors.Tests;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

/// <summary>BatchNormalization in training mode, ReverseSequence and MaxUnpool against hand-computed values and finite
/// differences.</summary>
public class TrainingModeAndSequenceTests
{
    [Fact]
    public void BatchNormalizationTrainingModeUsesBatchStatisticsAndUpdatesRunningOnes()
    {
        var model = new OnnxBuilder(15).Input("x", DataType.Float, 2, 1, 2)
            .Initializer("scale", Tensor.FromArray([2f], 1)).Initializer("bias", Tensor.FromArray([1f], 1))
            .Initializer("mean", Tensor.FromArray([10f], 1)).Initializer("var", Tensor.FromArray([4f], 1))
            .Node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y", "running_mean", "running_var"], ("training_mode", 1L), ("epsilon", 0f))
            .Output("y").Output("running_mean").Output("running_var").Build();
        // batch {1, 3, 5, 7}: mean 4, population variance 5
        var outputs = model.Call([Tensor.FromArray([1f, 3f, 5f, 7f], 2, 1, 2)]);
        float s = 2f / MathF.Sqrt(5f);
        float[] y = [1f - 3 * s, 1f - s, 1f + s, 1f + 3 * s];
        var actual = outputs[0].ToArray();
        for (int i = 0; i < 4; i++) Assert.Equal(y[i], actual[i], 5);
        Assert.Equal(10f * 0.9f + 4f * 0.1f, outputs[1].ToArray()[0], 5);
        Assert.Equal(4f * 0.9f + 5f * 0.1f, outputs[2].ToArray()[0], 5);
        GradCheck.Assert(inputs => model.Call(inputs)[0], [Tensor.Randn(new Shape(2, 1, 2), seed: 11)]);
    }

    [Fact]
    public void ReverseSequenceReversesEachBatchPrefix()
    {
        var model = new OnnxBuilder(10).Input("x", DataType.Float, 3, 2).Initializer("lengths", Tensor.FromArray([3L, 2L], 2))
            .Node("ReverseSequence", ["x", "lengths"], ["y"], ("time_axis", 0L), ("batch_axis", 1L)).Output("y").Build();
        // columns are batches: [1, 2, 3] reversed fully, [4, 5, 6] reversed over its first two steps
        var y = model.Call(Tensor.FromArray([1f, 4f, 2f, 5f, 3f, 6f], 3, 2));
        Assert.Equal([3f, 5f, 2f, 4f, 1f, 6f], y.ToArray());
        GradCheck.Assert(inputs => model.Call(inputs[0]), [Tensor.Randn(new Shape(3, 2), seed: 12)]);
    }

    [Fact]
    public void MaxUnpoolScattersValuesToTheirIndices()
    {
        var model = new OnnxBuilder(11).Input("x", DataType.Float, 1, 1, 1, 2).Initializer("i", Tensor.FromArray([1L, 6L], 1, 1, 1, 2))
            .Node("MaxUnpool", ["x", "i"], ["y"], ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 })).Output("y").Build();
        var y = model.Call(Tensor.FromArray([5f, 7f], 1, 1, 1, 2));
        Assert.Equal(new Shape(1, 1, 2, 4), y.Shape);
        Assert.Equal([0f, 5f, 0f, 0f, 0f, 0f, 7f, 0f], y.ToArray());
        GradCheck.Assert(inputs => model.Call(inputs[0]), [Tensor.Randn(new Shape(1, 1, 1, 2), seed: 13)]);
    }
}
