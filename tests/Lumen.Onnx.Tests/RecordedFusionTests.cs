using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

/// <summary>With gradients recorded, a Conv whose only reader is a Relu, a LeakyRelu (α &gt; 0) or a Clip runs as one
/// fused, recorded op when neither node has hooks (a Clip also when values land on its bounds); a non-positive slope
/// stays two ops. Values and input gradients are bitwise those of the separate ops, and a hook on either node still
/// sees both values.</summary>
public class RecordedFusionTests
{
    private static GraphModule ConvThen(string op, params (string Name, object Value)[] attributes) => new OnnxBuilder(13)
        .Input("x", DataType.Float, 2, 3, 9, 9)
        .Initializer("w", Tensor.Randn(new Shape(4, 3, 3, 3), seed: 5))
        .Initializer("b", Tensor.Randn(new Shape(4), seed: 6))
        .Node("Conv", ["x", "w", "b"], ["y"], ("pads", new long[] { 1, 1, 1, 1 }))
        .Node(op, ["y"], ["z"], attributes)
        .Output("z", DataType.Float, 2, 4, 9, 9)
        .Build();

    public static TheoryData<string, float, bool> Activations() => new()
    {
        { "Relu", 0f, true },
        { "LeakyRelu", 0.2f, true },
        { "LeakyRelu", -0.5f, false },
        { "LeakyRelu", 0f, false },
    };

    [Theory]
    [MemberData(nameof(Activations))]
    public void Conv_then_rectifier_records_one_op_with_the_separate_ops_values_and_gradients(string op, float alpha, bool fuses)
    {
        var model = op == "Relu" ? ConvThen(op) : ConvThen(op, ("alpha", alpha));
        var x = Tensor.Randn(new Shape(2, 3, 9, 9), seed: 7).RequireGrad();
        var u = x.Conv2d(Tensor.Randn(new Shape(4, 3, 3, 3), seed: 5), Tensor.Randn(new Shape(4), seed: 6), padding: 1);
        var expected = op == "Relu" ? u.Relu() : u.LeakyRelu(alpha);
        var z = model.Call(x);
        Assert.Equal(expected.ToArray(), z.ToArray());
        var seed = Tensor.Randn(z.Shape, seed: 8);
        Assert.Equal(Gradients.Of(expected, x, seed).ToArray(), Gradients.Of(z, x, seed).ToArray());
        // the fused op keeps no pre-activation tensor on the tape
        Assert.Equal(fuses ? Gradients.TapeBytes(expected) - u.Size * 4L : Gradients.TapeBytes(expected), Gradients.TapeBytes(z));
    }

    private static GraphModule ConvThenClip() => new OnnxBuilder(13)
        .Input("x", DataType.Float, 1, 3, 6, 6)
        .Initializer("w", Tensor.Randn(new Shape(4, 3, 3, 3), seed: 5))
        .Initializer("lo", Tensor.Scalar(0f))
        .Initializer("hi", Tensor.Scalar(6f))
        .Node("Conv", ["x", "w"], ["y"])
        .Node("Clip", ["y", "lo", "hi"], ["z"])
        .Output("z", DataType.Float, 1, 4, 4, 4)
        .Build();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Conv_then_clip_records_one_op_with_the_separate_ops_values_and_gradients(bool zeroInput)
    {
        var model = ConvThenClip();
        // a zero input through the bias-free convolution gives u = 0 = the lower bound everywhere, where the gradient is 1
        var x = (zeroInput ? Tensor.Zeros(1, 3, 6, 6) : Tensor.Randn(new Shape(1, 3, 6, 6), seed: 7)).RequireGrad();
        var u = x.Conv2d(Tensor.Randn(new Shape(4, 3, 3, 3), seed: 5));
        var expected = u.Clamp(0f, 6f);
        var z = model.Call(x);
        Assert.Equal(expected.ToArray(), z.ToArray());
        Assert.Equal(Gradients.TapeBytes(expected) - u.Size * 4L, Gradients.TapeBytes(z));
        var seed = Tensor.Randn(z.Shape, seed: 8);
        var gradient = Gradients.Of(z, x, seed).ToArray();
        Assert.Equal(Gradients.Of(expected, x, seed).ToArray(), gradient);
        Assert.Contains(gradient, v => v != 0f);                  // u = 0 lies on the closed interval: the gradient passes
    }

    [Theory]
    [InlineData("Relu")]
    [InlineData("Clip")]
    public void Hooks_on_the_convolution_or_the_activation_see_both_values(string op)
    {
        var model = op == "Relu" ? ConvThen(op) : ConvThenClip();
        var x = Tensor.Randn(op == "Relu" ? new Shape(2, 3, 9, 9) : new Shape(1, 3, 6, 6), seed: 7).RequireGrad();
        float hi = op == "Relu" ? float.PositiveInfinity : 6f;
        var conv = model.Children[0].Name;
        var activation = model.Children[1].Name;
        foreach (var hooked in new[] { conv, activation })
        {
            var seen = new Dictionary<string, Tensor>();
            using var first = model.Hooks.OnForward(hooked, (Tensor t, Lumen.NN.Hooks.HookContext _) => seen[hooked] = t);
            var z = model.Call(x);
            Assert.Contains(seen[hooked].ToArray(), v => hooked == conv ? v < 0 || v > hi : v == 0 || v == hi);
            Assert.Equal(z.ToArray(), seen[hooked].ToArray().Select(v => hooked == conv ? Math.Min(Math.Max(v, 0f), hi) : v).ToArray());
        }
    }

    [SharedTheory("models/imagenet", "data/ppm224")]
    [InlineData(0)]   // SqueezeNet: Conv → Relu
    [InlineData(2)]   // Tiny Darknet: Conv → LeakyRelu
    [InlineData(3)]   // MobileNetV2: Conv → Clip (ReLU6)
    public void Input_gradients_of_real_models_equal_the_unfused_graph_bitwise(int index)
    {
        var (file, _, pixel, bgr) = RealModels.ImageNet[index];
        var module = OnnxModel.Load(SharedData.Path("models/" + file));
        var x = RealModels.LoadPpm(SharedData.Path("data/ppm224/kitten.ppm"), pixel, bgr).RequireGrad();
        var fused = module.Call(x);
        var fusedGradient = Gradients.Of(fused.Slice(1, 3, 4).Sum(), x).ToArray();
        var handles = module.Children.Select(c => module.Hooks.OnForward(c.Name, (Tensor t, Lumen.NN.Hooks.HookContext _) => { })).ToList();
        var unfused = module.Call(x);
        var unfusedGradient = Gradients.Of(unfused.Slice(1, 3, 4).Sum(), x).ToArray();
        handles.ForEach(h => h.Dispose());
        Assert.True(Gradients.TapeBytes(fused) < Gradients.TapeBytes(unfused));
        Assert.Equal(unfused.ToArray(), fused.ToArray());
        Assert.Equal(unfusedGradient, fusedGradient);
    }
}
