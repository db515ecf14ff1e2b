using Lumen.Attribution.Propagation;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests.Propagation;

public sealed class GuidedBackpropTests
{
    /// <summary>f(x) = w₂ · leaky(W₁x) with hand-set weights: one unit active, one negative, and a negative upstream
    /// gradient on the active unit, so guided, deconvolution and the gradient all differ.</summary>
    private static Sequential Model()
    {
        var first = new Linear(2, 2, bias: false);
        first.Weight.Value.AsSpan().Clear();
        first.Weight.Value.AsSpan()[0] = 1f;  // h₀ = x₀
        first.Weight.Value.AsSpan()[3] = 1f;  // h₁ = x₁
        var second = new Linear(2, 1, bias: false);
        second.Weight.Value.AsSpan()[0] = -3f;
        second.Weight.Value.AsSpan()[1] = 2f;
        return new Sequential(first, new LeakyRelu(0.1f), second);
    }

    private static readonly Tensor Input = Tensor.FromArray([1f, -2f], 1, 2); // h = [1, −2]: unit 1 in the leaky part

    [Fact]
    public void Guided_RectifiesTheLeakyReluGradient()
    {
        // gradient at h: [−3, 2]·f′(h) = [−3, 0.2]; relu → [0, 0.2].
        GradAssert.Close([0f, 0.2f], new GuidedBackprop(Model()).Explain(Input, Target.Class(0)).Map.ToArray(), 1e-6f);
    }

    [Fact]
    public void Deconvolution_RectifiesTheIncomingGradient()
    {
        // relu([−3, 2]) = [0, 2], ignoring the forward pass.
        GradAssert.Close([0f, 2f], new Deconvolution(Model()).Explain(Input, Target.Class(0)).Map.ToArray(), 1e-6f);
    }

    [Fact]
    public void UnknownModule_IsRefused()
    {
        var model = new Sequential(new Linear(2, 2, rng: new Random(1)), new Cube());
        var e = Assert.Throws<NotSupportedException>(() => new GuidedBackprop(model).Explain(Input, Target.Class(0)));
        Assert.Contains("Cube", e.Message);
        Assert.Equal(0, model.Hooks.Count);
    }

    [Fact]
    public void ReusedRectifier_IsGuidedAtEachCall()
    {
        // One Relu module called twice (Captum #1082): both calls must be rectified with their own input.
        var relu = new Relu();
        var model = new Twice(relu);
        var map = new GuidedBackprop(model).Explain(Tensor.FromArray([0.5f, -1f], 1, 2), Target.Custom("neg", o => -o.Sum(1))).Map.ToArray();
        GradAssert.Close([0f, 0f], map, 0f);
        var map2 = new GuidedBackprop(model).Explain(Tensor.FromArray([0.5f, -1f], 1, 2), Target.Custom("pos", o => o.Sum(1))).Map.ToArray();
        GradAssert.Close([1f, 0f], map2, 0f);
    }

    private sealed class Cube : Module
    {
        protected override Tensor Forward(Tensor x) => x * x * x;
    }

    /// <summary>relu(relu(x)) with one module: a container that only wires its child.</summary>
    private sealed class Twice : Module, IContainer
    {
        private readonly Relu relu;

        public Twice(Relu relu) => this.relu = Register("relu", relu);

        protected override Tensor Forward(Tensor x) => relu.Call(relu.Call(x));
    }
}
