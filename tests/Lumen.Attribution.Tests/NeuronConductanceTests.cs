using Lumen.Attribution.Common;
using Lumen.Attribution.Gradient;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests;

/// <summary>
/// NeuronConductance (Captum; Dhamdhere et al. 2018) as <see cref="IntegratedGradientsOptions.Through"/>:
/// NCᵢ = (xᵢ − x′ᵢ) ∫₀¹ ∂f/∂yⱼ · ∂yⱼ/∂xᵢ dα along x′ + α(x − x′).
/// </summary>
public class NeuronConductanceTests
{
    /// <summary>y = ReLU(W x), f = v · y + 0.5 with W = [[1, 2, −1], [0.5, −1, 3]], v = [2, −3].</summary>
    private static Sequential ReluModel()
    {
        var hidden = new Linear(3, 2, bias: false);
        hidden.Weight.CopyFrom(Tensor.FromArray([1f, 2f, -1f, 0.5f, -1f, 3f], 2, 3));
        var output = new Linear(2, 1);
        output.Weight.CopyFrom(Tensor.FromArray([2f, -3f], 1, 2));
        output.Bias!.CopyFrom(Tensor.FromArray([0.5f], 1));
        return new Sequential([("hidden", (Module)hidden), ("relu", new Relu()), ("out", output)]);
    }

    /// <summary>A smooth 3 → 4 → 2 network with tanh on both layers (deterministic weights).</summary>
    private static Sequential TanhModel()
    {
        var hidden = new Linear(3, 4);
        hidden.Weight.CopyFrom(Tensor.FromArray([0.8f, -0.5f, 0.3f, -0.2f, 0.9f, 0.4f, 0.6f, 0.1f, -0.7f, -0.3f, -0.4f, 0.5f], 4, 3));
        hidden.Bias!.CopyFrom(Tensor.FromArray([0.1f, -0.2f, 0.05f, 0.3f], 4));
        var output = new Linear(4, 2);
        output.Weight.CopyFrom(Tensor.FromArray([1.2f, -0.7f, 0.5f, 0.9f, -0.4f, 0.8f, 1.1f, -0.6f], 2, 4));
        output.Bias!.CopyFrom(Tensor.FromArray([0.2f, -0.1f], 2));
        return new Sequential([("hidden", (Module)hidden), ("act", new Tanh()), ("out", output), ("squash", new Tanh())]);
    }

    private static readonly Tensor Ones = Tensor.FromArray([1f, 1f, 1f], 1, 3);

    [Theory]
    [InlineData(0, new[] { 2f, 4f, -2f })]
    [InlineData(1, new[] { -1.5f, 3f, -9f })]
    public void Relu_layer_closed_form(int neuron, float[] expected)
    {
        // From x′ = −1 to x = 1 the pre-activation w₀·x′ + α w₀·(x − x′) = −2 + 4α (unit 0) and −2.5 + 5α (unit 1):
        // both switch on at α = ½. Then ∂f/∂yⱼ = vⱼ and ∂yⱼ/∂xᵢ = Wⱼᵢ on half of the path: NCᵢ = 2 · vⱼ Wⱼᵢ · ½,
        // [2, 4, −2] for unit 0 (v₀ = 2) and [−1.5, 3, −9] for unit 1 (v₁ = −3); the midpoint rule with an even number
        // of steps counts exactly half of its nodes past ½. The sums 4 and −7.5 are vⱼ (yⱼ(x) − yⱼ(x′)).
        var options = new IntegratedGradientsOptions { Through = Target.Neuron("relu", neuron), Baseline = Baseline.Constant(-1f), Steps = 8, Quadrature = Quadrature.RiemannMiddle };
        var result = new IntegratedGradients(ReluModel(), options).Explain(Ones, Target.Class(0));
        GradAssert.Close(expected, result.Map.ToArray(), 1e-5f);
        Assert.Null(result.Delta);
    }

    [Theory]
    [InlineData("linear1", 0, new[] { 0f, 100f, 0f }, new[] { 0f, 90f, 0f })]
    [InlineData("linear2", 0, new[] { 0f, 100f, 0f }, new[] { 0f, 390f, 0f })]
    [InlineData("relu", 3, new[] { 0f, 70f, 30f }, new[] { 0f, 70f, 30f })]
    public void Captum_oracles_on_basic_model_multi_layer(string hook, int neuron, float[] input, float[] expected)
    {
        // Captum's test_neuron_conductance (target 0, zero baseline). linear1 unit 0 is x₁ + x₂ + x₃ − 10 and feeds the
        // output with weight 1 once it switches on at α = 0.1: 100 · 0.9 = 90. linear2 unit 0 is the output itself, so
        // its conductance is plain IG, [0, 390, 0]. relu unit 3 is x₁ + x₂ + x₃ + 1 > 0 all along: x itself. The
        // midpoint rule on 200 steps puts exactly 180 nodes past α = 0.1.
        var options = new IntegratedGradientsOptions { Through = Target.Neuron(hook, neuron), Steps = 200, Quadrature = Quadrature.RiemannMiddle };
        var map = new IntegratedGradients(new MultiLayerModel(), options).Explain(Tensor.FromArray(input, 1, 3), Target.Class(0)).Map;
        GradAssert.Close(expected, map.ToArray(), 1e-3f);
    }

    [Fact]
    public void Without_multiplying_by_inputs_it_is_the_averaged_gradient_through_the_neuron()
    {
        var options = new IntegratedGradientsOptions { Through = Target.Neuron("relu", 1), Baseline = Baseline.Constant(-1f), Steps = 8, Quadrature = Quadrature.RiemannMiddle, MultiplyByInputs = false };
        var result = new IntegratedGradients(ReluModel(), options).Explain(Ones, Target.Class(0));
        GradAssert.Close([-0.75f, 1.5f, -4.5f], result.Map.ToArray(), 1e-5f); // v₁ W₁ᵢ · ½
    }

    [Fact]
    public void Sums_over_the_inputs_to_the_layer_conductance_of_each_neuron()
    {
        var model = TanhModel();
        var x = Tensor.FromArray([0.9f, -1.3f, 0.6f, -0.4f, 0.7f, 1.5f], 2, 3);
        var target = Target.Classes([0, 1]);
        var common = new IntegratedGradientsOptions { Steps = 400, Quadrature = Quadrature.RiemannMiddle, Baseline = Baseline.Constant(0.2f) };
        var layer = new IntegratedGradients(model, common with { AttributeTo = AttributeTo.Layer("act"), LayerPath = LayerPath.Input }).Explain(x, target).Map.ToArray(); // [2, 4]
        for (int j = 0; j < 4; j++)
        {
            var map = new IntegratedGradients(model, common with { Through = Target.Neuron("act", j) }).Explain(x, target).Map.ToArray(); // [2, 3]
            for (int b = 0; b < 2; b++)
            {
                float sum = map[(b * 3)..(b * 3 + 3)].Sum(), conductance = layer[b * 4 + j];
                Assert.True(Math.Abs(sum - conductance) <= 1e-4f * Math.Max(1f, Math.Abs(conductance)), $"sample {b}, neuron {j}: Σ NeuronConductance {sum} vs LayerConductance {conductance}");
            }
        }
    }

    [Fact]
    public void The_neurons_of_a_layer_add_up_to_integrated_gradients_when_every_path_crosses_it()
    {
        var model = TanhModel();
        var x = Tensor.FromArray([0.9f, -1.3f, 0.6f], 1, 3);
        var options = new IntegratedGradientsOptions { Steps = 16 };
        var ig = new IntegratedGradients(model, options).Explain(x, Target.Class(1)).Map.ToArray();
        var sum = new float[3];
        for (int j = 0; j < 4; j++)
        {
            var map = new IntegratedGradients(model, options with { Through = Target.Neuron("act", j) }).Explain(x, Target.Class(1)).Map.ToArray();
            for (int i = 0; i < 3; i++) sum[i] += map[i];
        }
        GradAssert.Close(ig, sum, 1e-5f);
    }

    [Fact]
    public void Through_a_channel_is_the_sum_over_its_neurons()
    {
        // Captum's conv toy model: relu1 is [B, 2, 2, 2]; conductance through channel 1 = Σ over its 2 × 2 positions.
        var model = new OneConvModel();
        var x = Tensor.FromArray([.. Enumerable.Range(0, 16).Select(i => (float)(i * 1.5 - 4))], 1, 1, 4, 4);
        var options = new IntegratedGradientsOptions { Steps = 10, Baseline = Baseline.Constant(-1f) };
        var channel = new IntegratedGradients(model, options with { Through = Target.Channel("relu1", 1) }).Explain(x, Target.Class(0)).Map.ToArray();
        var sum = new float[16];
        for (int h = 0; h < 2; h++)
            for (int w = 0; w < 2; w++)
            {
                var map = new IntegratedGradients(model, options with { Through = Target.Neuron("relu1", 1, h, w) }).Explain(x, Target.Class(0)).Map.ToArray();
                for (int i = 0; i < 16; i++) sum[i] += map[i];
            }
        Assert.Contains(sum, v => Math.Abs(v) > 1f);
        GradAssert.Close(sum, channel, 1e-4f);
    }

    [Fact]
    public void Chunked_equals_unchunked_and_batched_equals_one_sample_at_a_time()
    {
        var model = TanhModel();
        var x = Tensor.FromArray([0.9f, -1.3f, 0.6f, -0.4f, 0.7f, 1.5f, 0.1f, 0.2f, -0.3f], 3, 3);
        var options = new IntegratedGradientsOptions { Steps = 12, Through = Target.Neuron("act", 2) };
        var whole = new IntegratedGradients(model, options).Explain(x, Target.Class(0)).Map.ToArray();
        var chunked = new IntegratedGradients(model, options with { BatchSize = 5 }).Explain(x, Target.Class(0)).Map.ToArray();
        GradAssert.Close(whole, chunked, 1e-6f);
        for (int b = 0; b < 3; b++)
        {
            var single = new IntegratedGradients(model, options with { BatchSize = 1 }).Explain(x.Slice(0, b, b + 1), Target.Class(0)).Map.ToArray();
            GradAssert.Close(single, whole[(b * 3)..(b * 3 + 3)], 1e-6f);
        }
    }

    [Fact]
    public void No_hook_is_left_behind_when_the_forward_pass_throws()
    {
        // Also for the other layer options added beside it: LayerGradientShap and SmoothGrad over a layer method.
        var model = new FailingModel();
        IAttributionMethod[] methods =
        [
            new IntegratedGradients(model, new() { Steps = 4, Through = Target.Neuron("act", 1) }),
            new GradientShap(model, new() { Samples = 3, AttributeTo = AttributeTo.Layer("act") }),
            new SmoothGrad(model, new InputXGradient(model, new() { AttributeTo = AttributeTo.Layer("act") }), new() { Samples = 3 }),
        ];
        foreach (var method in methods)
        {
            model.Fail = true;
            Assert.Contains(FailingModel.Failure, Assert.ThrowsAny<Exception>(() => method.Explain(Ones, Target.Class(0))).ToString());
            Assert.Equal(0, model.Hooks.Count);
            model.Fail = false;
            Assert.True(method.Explain(Ones, Target.Class(0)).Map.ToArray().All(float.IsFinite));
            Assert.Equal(0, model.Hooks.Count);
        }
    }

    /// <summary>hidden (3 → 4) → act (tanh) → out (4 → 2); throws after act when <see cref="Fail"/> is set.</summary>
    private sealed class FailingModel : Module
    {
        public const string Failure = "FailingModel: forward failed on purpose";
        private readonly Linear hidden, output;
        private readonly Tanh act;

        public FailingModel()
        {
            var rng = new Random(3);
            hidden = Register("hidden", new Linear(3, 4, rng: rng));
            act = Register("act", new Tanh());
            output = Register("out", new Linear(4, 2, rng: rng));
        }

        public bool Fail { get; set; }

        protected override Tensor Forward(Tensor x)
        {
            var h = act.Call(hidden.Call(x));
            if (Fail) throw new InvalidOperationException(Failure);
            return output.Call(h);
        }
    }

    [Fact]
    public void Unsupported_combinations_throw_at_construction()
    {
        var model = ReluModel();
        Assert.Contains("hook point", Assert.Throws<ArgumentException>(() => new IntegratedGradients(model, new() { Through = Target.Class(0) })).Message);
        Assert.Contains("nowhere", Assert.Throws<ArgumentException>(() => new IntegratedGradients(model, new() { Through = Target.Neuron("nowhere", 0) })).Message);
        Assert.Throws<NotSupportedException>(() => new IntegratedGradients(model, new() { Through = Target.Neuron("relu", 0), AttributeTo = AttributeTo.Layer("hidden") }));
        Assert.Throws<NotSupportedException>(() => new IntegratedGradients(model, new() { Through = Target.Neuron("relu", 0), AdaptiveSteps = true }));
    }
}
