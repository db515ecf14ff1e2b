using Lumen.Attribution.Common;
using Lumen.Attribution.Gradient;
using Lumen.Onnx;
using Lumen.Tensors;
using Lumen.TestSupport;

namespace Lumen.Attribution.Tests;

/// <summary>Gradient methods on an imported model whose activations are fused into their convolutions when gradients
/// are recorded (Relu, LeakyRelu, and Clip — MobileNetV2's ReLU6, with values exactly on its bounds) give bitwise the
/// attributions of the unfused graph, which a no-op hook on every node forces.</summary>
public sealed class FusedGraphTests
{
    private const string Mobile = "models/imagenet/mobilenetv2-1.0-224.onnx";

    [SharedFact(Mobile)]
    public void Integrated_gradients_on_mobilenetv2_equal_those_of_the_unfused_graph_bitwise()
    {
        var model = OnnxModel.Load(SharedData.Path(Mobile));
        model.Eval();
        var x = Tensor.Randn(new Shape(1, 3, 224, 224), seed: 1);
        // α = 0 is the zero baseline itself; channels with a zero bias put u = 0 on ReLU6's lower bound
        var options = new IntegratedGradientsOptions { Steps = 4, BatchSize = 2, Quadrature = Quadrature.RiemannLeft };
        var fused = new IntegratedGradients(model, options).Explain(x, Target.Class(3));
        float[] expected;
        using (var scope = new Lumen.NN.Hooks.HookScope())
        {
            foreach (var child in model.Children) scope.Add(model.Hooks.OnForward(child.Name, (a, _) => { }));
            expected = new IntegratedGradients(model, options).Explain(x, Target.Class(3)).Map.ToArray();
        }
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), fused.Map.ToArray().Select(BitConverter.SingleToInt32Bits));
    }
}
