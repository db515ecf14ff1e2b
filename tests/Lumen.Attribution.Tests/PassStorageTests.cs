using Lumen.Attribution.Gradient;
using Lumen.NN;
using Lumen.Onnx;
using Lumen.Tensors;
using Lumen.TestSupport;

namespace Lumen.Attribution.Tests;

/// <summary>Gradient methods take each chunk's forward storage from the model's pass storage and give it back after
/// the chunk (<see cref="Module.PassStorage"/>): results are bitwise those of the unpooled pass, chunk after chunk and
/// call after call, and a hook that keeps activations switches the reuse off so what it kept stays intact. (A pass
/// that lends storage may also run a blocked chain's gradient, OnnxGraph.BlockedGradient.cs, close to the unpooled
/// pass but not bitwise: the comparisons with the unpooled pass switch it off.)</summary>
[Collection(BlockedSwitchCollection.Name)]
public sealed class PassStorageTests
{
    private const string Squeeze = "models/imagenet/squeezenet1.0-fp32.onnx";
    private const string Mobile = "models/imagenet/mobilenetv2-1.0-224.onnx";

    /// <summary>The same model behind a module that lends no pass storage: the unpooled reference.</summary>
    private sealed class Unpooled(Module inner) : Module
    {
        protected override Tensor Forward(Tensor x) => inner.Call(x);
    }

    private static GraphModule Load(string path)
    {
        var model = OnnxModel.Load(SharedData.Path(path));
        model.Eval();
        return model;
    }

    private static Tensor Input(int seed) => Tensor.Randn(new Shape(1, 3, 224, 224), seed);

    [SharedTheory(Squeeze, Mobile)]
    [InlineData(Squeeze)]
    [InlineData(Mobile)]
    public void Integrated_gradients_with_reused_storage_equal_the_unpooled_pass_bitwise(string path)
    {
        var model = Load(path);
        using var unblocked = BlockedSwitch.Set(false);
        var options = new IntegratedGradientsOptions { Steps = 3, BatchSize = 2 };     // chunks of 2, then 1
        var expected = new IntegratedGradients(new Unpooled(model), options).Explain(Input(1), Target.Class(3)).Map.ToArray();
        for (int call = 0; call < 2; call++)
            Assert.Equal(expected, new IntegratedGradients(model, options).Explain(Input(1), Target.Class(3)).Map.ToArray());
    }

    [SharedFact(Mobile)]
    public void One_integrated_gradients_reused_across_calls_equals_a_new_one_each_call_bitwise()
    {
        using var blocked = BlockedSwitch.Set(true);
        // the method lends each call's last rows and gradient to the next call: other inputs, targets and chunk shapes
        var model = Load(Mobile);
        var reused = new IntegratedGradients(model, new() { Steps = 3, BatchSize = 2 });  // chunks of 2, then 1
        foreach (var (seed, target) in new[] { (1, 3), (2, 7), (1, 3) })
        {
            var expected = new IntegratedGradients(model, new() { Steps = 3, BatchSize = 2 }).Explain(Input(seed), Target.Class(target)).Map.ToArray();
            Assert.Equal(expected, reused.Explain(Input(seed), Target.Class(target)).Map.ToArray());
        }
    }

    [SharedFact(Squeeze)]
    public void SmoothGrad_chunks_reuse_storage_and_keep_their_values()
    {
        var model = Load(Squeeze);
        using var unblocked = BlockedSwitch.Set(false);
        var options = new SmoothGradOptions { Samples = 3, BatchSize = 1 };
        var expected = new SmoothGrad(new Unpooled(model), new Saliency(new Unpooled(model)), options).Explain(Input(2), Target.Class(5)).Map.ToArray();
        Assert.Equal(expected, new SmoothGrad(model, new Saliency(model), options).Explain(Input(2), Target.Class(5)).Map.ToArray());
    }

    [SharedFact(Mobile)]
    public void A_hook_that_keeps_activations_sees_them_unchanged_after_the_call()
    {
        var model = Load(Mobile);
        using var unblocked = BlockedSwitch.Set(false);                 // the last call, hookless, is compared bitwise
        var kept = new List<(Tensor Activation, float[] Copy)>();
        var names = model.NamedModules().Select(m => m.Name).Where(n => n.Length > 0).Take(12).ToArray();
        var options = new IntegratedGradientsOptions { Steps = 3, BatchSize = 1 };
        float[] expected;
        using (var scope = new Lumen.NN.Hooks.HookScope())
        {
            foreach (var name in names) scope.Add(model.Hooks.OnForward(name, (a, _) => kept.Add((a, a.AsReadOnlySpan().ToArray()))));
            expected = new IntegratedGradients(model, options).Explain(Input(3), Target.Class(7)).Map.ToArray();
            new IntegratedGradients(model, options).Explain(Input(4), Target.Class(8));          // a second call, reusing nothing it kept
        }
        Assert.Equal(2 * 4 * names.Length, kept.Count);      // per call: 3 steps and the delta's pass
        Assert.All(kept, k => Assert.Equal(k.Copy, k.Activation.ToArray()));
        Assert.Equal(expected, new IntegratedGradients(model, options).Explain(Input(3), Target.Class(7)).Map.ToArray());
    }
}
