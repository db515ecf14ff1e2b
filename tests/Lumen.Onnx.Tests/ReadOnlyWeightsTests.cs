using Lumen.NN;
using Lumen.NN.Optim;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

/// <summary>A loaded model's float initializers are read-only, so that its convolutions keep their packed weights
/// between calls: every write fails loudly until the weights are made writable, an edit made while writable is
/// what the next forward computes with (never a stale packing), and results are bitwise those of writable weights.</summary>
public class ReadOnlyWeightsTests
{
    private static GraphModule ConvModel() => new OnnxBuilder(13)
        .Input("x", DataType.Float, 1, 3, 9, 9)
        .Initializer("w", Tensor.Randn(new Shape(8, 3, 3, 3), seed: 5))
        .Initializer("b", Tensor.Randn(new Shape(8), seed: 6))
        .Node("Conv", ["x", "w", "b"], ["y"], ("pads", new long[] { 1, 1, 1, 1 }))
        .Node("Relu", ["y"], ["z"])
        .Output("z", DataType.Float, 1, 8, 9, 9)
        .Build();

    [Fact]
    public void Loaded_weights_are_read_only_and_every_writer_says_how_to_make_them_writable()
    {
        var model = ConvModel();
        var weight = model.Parameters().Single(p => p.Shape.Rank == 4);
        Assert.All(model.Parameters(), p => Assert.True(p.IsReadOnly));
        var span = Assert.Throws<InvalidOperationException>(() => weight.Value.AsSpan());
        Assert.Contains("MakeWeightsWritable()", span.Message);
        var copy = Assert.Throws<InvalidOperationException>(() => weight.CopyFrom(Tensor.Zeros(weight.Shape)));
        Assert.Contains($"'{weight.Name}'", copy.Message);
        var state = Assert.Throws<InvalidOperationException>(() => model.LoadStateDict(model.StateDict()));
        Assert.Contains("MakeWeightsWritable()", state.Message);
        var x = Tensor.Randn(new Shape(1, 3, 9, 9), 7);
        model.Call(x).Sum().Backward();
        var step = Assert.Throws<InvalidOperationException>(() => new Sgd(model.Parameters(), 0.1f).Step());
        Assert.Contains($"'{weight.Name}'", step.Message);
    }

    [Fact]
    public void An_edit_made_while_writable_is_what_the_next_forward_uses()
    {
        var model = ConvModel();
        var weight = model.Parameters().Single(p => p.Shape.Rank == 4).Value;
        var x = Tensor.Randn(new Shape(1, 3, 9, 9), 8);
        float[] before, edited;
        using (GradMode.Off())
        {
            before = model.Call(x).ToArray();
            model.Call(x);                                           // the packed weights are kept by now
            model.MakeWeightsWritable();
            Assert.All(model.Parameters(), p => Assert.False(p.IsReadOnly));
            weight.AsSpan().Clear();
            edited = model.Call(x).ToArray();
            model.MakeWeightsReadOnly();
            Assert.Equal(edited, model.Call(x).ToArray());
        }
        var bias = model.Parameters().Single(p => p.Shape.Rank == 1).Value.ToArray();
        Assert.NotEqual(before, edited);
        Assert.Equal(bias.SelectMany(b => Enumerable.Repeat(Math.Max(b, 0f), 81)), edited);   // zero weights: relu(bias)
    }

    [Fact]
    public void A_writable_scope_restores_the_read_only_state_and_leaves_writable_weights_writable()
    {
        var model = ConvModel();
        var weight = model.Parameters().Single(p => p.Shape.Rank == 4);
        var x = Tensor.Randn(new Shape(1, 3, 9, 9), 9);
        float[] doubled;
        using (model.WritableWeights())
        {
            Assert.False(weight.IsReadOnly);
            var w = weight.Value.AsSpan();
            for (int i = 0; i < w.Length; i++) w[i] *= 2f;
            using (GradMode.Off()) doubled = model.Call(x).ToArray();
        }
        Assert.True(weight.IsReadOnly);
        using (GradMode.Off()) Assert.Equal(doubled, model.Call(x).ToArray());
        model.MakeWeightsWritable();
        using (model.WritableWeights()) { }
        Assert.False(weight.IsReadOnly);                             // it was writable before the scope
    }

    [SharedTheory("models/imagenet", "data/ppm224")]
    [InlineData(0)]   // SqueezeNet
    [InlineData(2)]   // Tiny Darknet
    [InlineData(3)]   // MobileNetV2
    public void Read_only_weights_give_bitwise_the_outputs_and_input_gradients_of_writable_ones_also_on_two_threads_at_once(int index)
    {
        var (file, _, pixel, bgr) = RealModels.ImageNet[index];
        var frozen = OnnxModel.Load(SharedData.Path("models/" + file));
        var writable = OnnxModel.Load(SharedData.Path("models/" + file)).MakeWeightsWritable();
        var kitten = RealModels.LoadPpm(SharedData.Path("data/ppm224/kitten.ppm"), pixel, bgr);
        var batch = Tensor.Concat([kitten, Tensor.Randn(kitten.Shape, seed: 4)], 0);
        float[] expected1, expected2;
        using (GradMode.Off())
        {
            expected1 = writable.Call(kitten).ToArray();
            expected2 = writable.Call(batch).ToArray();
        }
        var results = new float[2][];
        var threads = new[] { kitten, batch }.Select((input, i) => new Thread(() =>
        {
            using (GradMode.Off()) results[i] = frozen.Call(input).ToArray();
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Equal(expected1, results[0]);
        Assert.Equal(expected2, results[1]);
        var x = kitten.Clone().RequireGrad();
        var expectedGrad = Gradients.Of(writable.Call(x).Max(), x).ToArray();
        Assert.Equal(expectedGrad, Gradients.Of(frozen.Call(x).Max(), x).ToArray());
    }
}
