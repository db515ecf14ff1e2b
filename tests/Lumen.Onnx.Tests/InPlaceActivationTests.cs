using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Onnx.Tests;

/// <summary>Inference runs Relu/LeakyRelu/Clip in place on a convolution's output when nothing can observe it; the
/// result must be bitwise what the unfused graph gives, and hooks must still see the pre-activation values.</summary>
public class InPlaceActivationTests
{
    [SharedTheory("models/imagenet", "data/ppm224")]
    [InlineData(0)]   // SqueezeNet: Conv → Relu
    [InlineData(2)]   // Tiny Darknet: Conv → LeakyRelu
    [InlineData(3)]   // MobileNetV2: Conv → Clip (ReLU6)
    public void Fused_inference_equals_the_unfused_graph_bitwise(int model)
    {
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
}
