using Lumen.Tensors;
using Lumen.Tensors.Autograd;
using DataType = Lumen.Onnx.Schema.TensorProto.Types.DataType;

namespace Lumen.Onnx.Tests;

/// <summary>Inference runs Relu/LeakyRelu/Clip in place on a convolution's output when nothing can observe it; the
/// result must be bitwise what the unfused graph gives, and hooks must still see the pre-activation values.</summary>
[Collection(BlockedSwitchCollection.Name)]
public class InPlaceActivationTests
{
    [SharedTheory("models/imagenet", "data/ppm224")]
    [InlineData(0)]   // SqueezeNet: Conv → Relu
    [InlineData(2)]   // Tiny Darknet: Conv → LeakyRelu
    [InlineData(3)]   // MobileNetV2: Conv → Clip (ReLU6)
    public void Fused_inference_equals_the_unfused_graph_bitwise(int model)
    {
        using var nchw = BlockedSwitch.Set(false);   // the blocked layout rounds otherwise (BlockedChainTests)
        var (file, _, pixel, bgr) = RealModels.ImageNet[model];
        var module = OnnxModel.Load(SharedData.Path("models/" + file));
        var x = RealModels.LoadPpm(SharedData.Path("data/ppm224/kitten.ppm"), pixel, bgr);
        Tensor fused, unfused, withGradients;
        using (GradMode.Off()) fused = module.Call(x);
        var handles = module.Children.Select(c => module.Hooks.OnForward(c.Name, (Tensor t, Lumen.NN.Hooks.HookContext _) => { })).ToList();
        using (GradMode.Off()) unfused = module.Call(x);
        handles.ForEach(h => h.Dispose());
        withGradients = module.Call(x.RequireGrad());
        Assert.Equal(unfused.ToArray(), fused.ToArray());
        Assert.Equal(unfused.ToArray(), withGradients.ToArray());
    }

    [SharedFact("models/imagenet/squeezenet1.0-fp32.onnx", "data/ppm224")]
    public void A_hook_on_the_convolution_sees_its_output_before_the_activation()
    {
        var (file, _, pixel, bgr) = RealModels.ImageNet[0];
        var module = OnnxModel.Load(SharedData.Path("models/" + file));
        var x = RealModels.LoadPpm(SharedData.Path("data/ppm224/kitten.ppm"), pixel, bgr);
        var conv = module.Children.First(c => c.Module.ToString()!.Contains("(Conv,", StringComparison.Ordinal)).Name;
        float minimum = float.NaN;
        using var handle = module.Hooks.OnForward(conv, (Tensor t, Lumen.NN.Hooks.HookContext _) => minimum = t.ToArray().Min());
        using (GradMode.Off()) module.Call(x);
        Assert.True(minimum < 0, $"the first convolution's output should have negative values before its ReLU, min {minimum}");
    }

    [Theory]
    [InlineData(false)]   // Clip bounds are initializers: the convolution applies the clip as it writes
    [InlineData(true)]    // the lower bound comes from a node that runs after the convolution: clip in place instead
    public void Convolution_then_clip_equals_the_reference_whichever_way_it_is_fused(bool boundAfterConvolution)
    {
        var builder = new OnnxBuilder(13)
            .Input("x", DataType.Float, 2, 3, 9, 9)
            .Initializer("w", Tensor.Randn(new Shape(4, 3, 3, 3), seed: 5))
            .Initializer("b", Tensor.Randn(new Shape(4), seed: 6))
            .Initializer("hi", Tensor.Scalar(0.5f))
            .Node("Conv", ["x", "w", "b"], ["y"], ("pads", new long[] { 1, 1, 1, 1 }));
        builder = boundAfterConvolution
            ? builder.Node("Constant", [], ["lo"], ("value", Tensor.Scalar(-0.25f)))
            : builder.Initializer("lo", Tensor.Scalar(-0.25f));
        var model = builder.Node("Clip", ["y", "lo", "hi"], ["z"]).Output("z", DataType.Float, 2, 4, 9, 9).Build();
        var x = Tensor.Randn(new Shape(2, 3, 9, 9), seed: 7);
        var expected = x.Conv2d(Tensor.Randn(new Shape(4, 3, 3, 3), seed: 5), Tensor.Randn(new Shape(4), seed: 6), padding: 1).Clamp(-0.25f, 0.5f);
        Tensor fused;
        using (GradMode.Off()) fused = model.Call(x);
        Assert.Equal(expected.ToArray(), fused.ToArray());
        Assert.Contains(fused.ToArray(), v => v == -0.25f);
        Assert.Contains(fused.ToArray(), v => v == 0.5f);
    }
}
