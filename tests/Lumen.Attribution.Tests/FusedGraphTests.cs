using Lumen.Attribution.Common;
using Lumen.Attribution.Gradient;
using Lumen.Onnx;
using Lumen.Tensors;
using Lumen.TestSupport;

namespace Lumen.Attribution.Tests;

/// <summary>Gradient methods on an imported model whose activations are fused into their convolutions when gradients
/// are recorded (Relu, LeakyRelu, and Clip — MobileNetV2's ReLU6, with values exactly on its bounds) give bitwise the
/// attributions of the unfused graph, which a no-op hook on every node forces; and where the chunks run MobileNetV2's
/// blocked chain as one recorded op (OnnxGraph.BlockedGradient.cs, masks decided on the same pre-activations, ties
/// included), attributions close to the unfused graph's.</summary>
[Collection(BlockedSwitchCollection.Name)]
public sealed class FusedGraphTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Mobile = "models/imagenet/mobilenetv2-1.0-224.onnx";

    [SharedFact(Mobile)]
    public void Integrated_gradients_on_mobilenetv2_equal_those_of_the_unfused_graph_bitwise()
    {
        var model = OnnxModel.Load(SharedData.Path(Mobile));
        model.Eval();
        var x = Tensor.Randn(new Shape(1, 3, 224, 224), seed: 1);
        using var unblocked = BlockedSwitch.Set(false);
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

    [SharedFact(Mobile)]
    public void Gradients_through_the_blocked_chain_are_close_to_the_unfused_graph()
    {
        var model = OnnxModel.Load(SharedData.Path(Mobile));
        model.Eval();
        var x = Tensor.Randn(new Shape(1, 3, 224, 224), seed: 2);
        using var blocked = BlockedSwitch.Set(true);
        // the same zero-baseline ties as above; Saliency at a single point is far from any kink's rounding
        var options = new IntegratedGradientsOptions { Steps = 4, BatchSize = 3, Quadrature = Quadrature.RiemannLeft };
        foreach (var (name, make) in new (string, Func<Lumen.NN.Module, IAttributionMethod>)[]
                 { ("saliency", m => new Saliency(m, new() { Absolute = false })), ("integrated gradients", m => new IntegratedGradients(m, options)) })
        {
            var chain = make(model).Explain(x, Target.Class(3)).Map.ToArray();
            float[] expected;
            using (var scope = new Lumen.NN.Hooks.HookScope())
            {
                foreach (var child in model.Children) scope.Add(model.Hooks.OnForward(child.Name, (a, _) => { }));
                expected = make(model).Explain(x, Target.Class(3)).Map.ToArray();
            }
            double relative = CaptumFixtures.RelativeL2(chain, expected);
            output.WriteLine($"{name}: relative L2 {relative:E3}");
            Assert.True(relative < (name == "saliency" ? 1e-5 : 1e-3), $"{name}: relative L2 {relative:E3} from the unfused graph");
        }
    }
}
