using Lumen.Attribution.Gradient;
using Lumen.Attribution.Propagation;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Onnx;
using Lumen.Tensors;
using Lumen.Tensors.IO;
using Lumen.TestSupport;

namespace Lumen.Attribution.Tests.Propagation;

/// <summary>LRP on whole models: conservation, canonizers, refusal, imported graphs.</summary>
public sealed class LrpModelTests
{
    /// <summary>Bias-free conv → ReLU → max-pool → conv → ReLU → global average → linear.</summary>
    private static Sequential ReluNet(bool bias = false, bool batchNorm = false)
    {
        var rng = new Random(3);
        var layers = new List<Module> { new Conv2d(3, 4, 3, padding: 1, bias: bias, rng: rng) };
        if (batchNorm) layers.Add(new BatchNorm2d(4));
        layers.AddRange([new Relu(), new MaxPool2d(2), new Conv2d(4, 5, 3, padding: 1, bias: bias, rng: rng), new Relu(),
            new AdaptiveAvgPool2d(1, 1), new Flatten(), new Linear(5, 3, bias: bias, rng: rng)]);
        return new Sequential([.. layers]);
    }

    private static readonly Tensor Input = Tensor.Rand(new Shape(2, 3, 8, 8), seed: 9, low: -1f, high: 1f);

    [Theory]
    [InlineData("epsilon")]
    [InlineData("epsilon-plus")]
    [InlineData("epsilon-alpha2-beta1")]
    [InlineData("epsilon-plus-flat")]
    public void BiasFreeReluNet_ConservesRelevance(string composite)
    {
        var model = ReluNet();
        var result = new Lrp(model, new() { Composite = Composites.Known[composite]() }).Explain(Input, Target.Classes([0, 2]));
        var scores = model.Call(Input).ToArray();
        foreach (var (d, b) in result.Delta!.ToArray().Select((d, b) => (d, b)))
            Assert.True(Math.Abs(d) <= 1e-4 * (1 + Math.Abs(scores[b * 3 + (b == 0 ? 0 : 2)])), $"{composite} sample {b}: delta {d}");
    }

    /// <summary>LRP-ε with ε → 0 on a ReLU net (biases included) equals gradient × input (Ancona et al. 2018).</summary>
    [Fact]
    public void EpsilonToZero_EqualsInputTimesGradient()
    {
        var model = ReluNet(bias: true);
        var lrp = new Lrp(model, new() { Composite = Composites.Epsilon(1e-9f) }).Explain(Input, Target.Class(1)).Map.ToArray();
        var ixg = new InputXGradient(model).Explain(Input, Target.Class(1)).Map.ToArray();
        GradAssert.Close(ixg, lrp, 1e-4f);
    }

    /// <summary>Also with read-only weights (as a loaded ONNX model's): the canonizer makes them writable to merge
    /// (dropping the packed convolution weights the first forward kept, or the merged model would compute with the
    /// stale ones), and read-only again once restored.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BatchNormCanonizer_MergesAndRestores(bool readOnly)
    {
        var model = ReluNet(bias: false, batchNorm: true);
        var norm = (BatchNorm2d)((Sequential)model)[1];
        var stats = Tensor.Rand(new Shape(4), seed: 4, low: 0.5f, high: 2f).ToArray();
        for (int c = 0; c < 4; c++)
        {
            norm.RunningMean.AsSpan()[c] = stats[c] - 1f;
            norm.RunningVar.AsSpan()[c] = stats[c];
            norm.Weight!.Value.AsSpan()[c] = 2f - stats[c];
            norm.Bias!.Value.AsSpan()[c] = 0.1f * c;
        }
        model.Eval();
        if (readOnly) model.MakeWeightsReadOnly();
        var before = model.Parameters().Select(p => p.Value.ToArray()).ToList();
        var output = model.Call(Input).ToArray();
        var canonizer = new BatchNormCanonizer();
        using (canonizer.Apply(model))
        {
            GradAssert.Close(output, model.Call(Input).ToArray(), 1e-4f);
            GradAssert.Close([1f, 1f, 1f, 1f], norm.Weight!.Value.ToArray(), 0f);
        }
        Assert.All(model.Parameters(), p => Assert.Equal(readOnly, p.IsReadOnly));
        Assert.Equal(output, model.Call(Input).ToArray());
        var after = model.Parameters().Select(p => p.Value.ToArray()).ToList();
        for (int i = 0; i < before.Count; i++) Assert.Equal(before[i], after[i]);
        // With the norm merged, the ε composite conserves relevance except for the merged shift (now a bias).
        var result = new Lrp(model, new() { Composite = Composites.EpsilonPlus(), Canonizers = [canonizer] }).Explain(Input, Target.Class(0));
        Assert.All(result.Map.ToArray(), v => Assert.True(float.IsFinite(v)));
        for (int i = 0; i < before.Count; i++) Assert.Equal(before[i], model.Parameters().Select(p => p.Value.ToArray()).ToList()[i]);
    }

    [Fact]
    public void FinalSoftmax_IsRefusedWhenLogitsAreNotExplained_AndHooksRemoved()
    {
        var model = new Sequential(new Linear(3, 2, rng: new Random(1)), new Softmax(1));
        var e = Assert.Throws<NotSupportedException>(() => new Lrp(model, new() { ExplainLogits = false }).Explain(Tensor.FromArray([1f, 2f, 3f], 1, 3), Target.Class(0)));
        Assert.Contains("'1' (Softmax)", e.Message);
        Assert.Equal(0, model.Hooks.Count);
    }

    /// <summary>A model ending in a Softmax is explained at the class logit: the same relevance as the model without
    /// its Softmax, conserving the logit, for Softmax and LogSoftmax alike.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FinalSoftmax_ExplainsTheLogit(bool log)
    {
        var linear = new Linear(3, 2, rng: new Random(1));
        Module softmax = log ? new LogSoftmax(1) : new Softmax(1);
        var input = Tensor.FromArray([1f, 2f, 3f, -1f, 0.5f, 2f], 2, 3);
        var withSoftmax = new Lrp(new Sequential(linear, softmax), new() { Composite = Composites.Epsilon() }).Explain(input, Target.Classes([0, 1]));
        var logitsOnly = new Lrp(new Sequential(linear), new() { Composite = Composites.Epsilon() }).Explain(input, Target.Classes([0, 1]));
        Assert.Equal(logitsOnly.Map.ToArray(), withSoftmax.Map.ToArray());
        Assert.Equal(logitsOnly.Delta!.ToArray(), withSoftmax.Delta!.ToArray());
    }

    /// <summary>A Softmax that is not the model output is still refused by name, and leaves no hook behind; so is a
    /// final one under a custom target, which is a function of the probabilities.</summary>
    [Fact]
    public void InnerSoftmax_AndCustomTargets_AreStillRefused()
    {
        var rng = new Random(2);
        var inner = new Sequential(new Linear(3, 4, rng: rng), new Softmax(1), new Linear(4, 2, rng: rng));
        var input = Tensor.FromArray([1f, 2f, 3f], 1, 3);
        var e = Assert.Throws<NotSupportedException>(() => new Lrp(inner).Explain(input, Target.Class(0)));
        Assert.Contains("'1' (Softmax)", e.Message);
        Assert.Equal(0, inner.Hooks.Count);
        var final = new Sequential(new Linear(3, 2, rng: rng), new Softmax(1));
        var custom = Target.Custom("p0", p => p.Sum(1));
        e = Assert.Throws<NotSupportedException>(() => new Lrp(final).Explain(input, custom));
        Assert.Contains("'1' (Softmax)", e.Message);
        Assert.Equal(0, final.Hooks.Count);
    }

    /// <summary>A composite that has a rule for Softmax keeps it, inside the model and at its end: the result is the
    /// rule's, not the logit's.</summary>
    [Fact]
    public void A_composites_own_softmax_rule_is_kept()
    {
        var rng = new Random(4);
        var passSoftmax = new Composite("pass-softmax", (_, module) => module switch
        {
            ISoftmax => Rules.Pass,
            ILinearLike => Rules.Epsilon(1e-6f),
            _ => null,
        });
        var input = Tensor.FromArray([1f, 2f, 3f], 1, 3);
        var inner = new Sequential(new Linear(3, 4, rng: rng), new Softmax(1), new Linear(4, 2, rng: rng));
        Assert.All(new Lrp(inner, new() { Composite = passSoftmax }).Explain(input, Target.Class(0)).Map.ToArray(), v => Assert.True(float.IsFinite(v)));
        var linear = new Linear(3, 2, rng: rng);
        var final = new Lrp(new Sequential(linear, new Softmax(1)), new() { Composite = passSoftmax }).Explain(input, Target.Class(0));
        var logit = new Lrp(new Sequential(linear), new() { Composite = passSoftmax }).Explain(input, Target.Class(0));
        Assert.NotEqual(logit.Map.ToArray(), final.Map.ToArray());   // relevance started at the probability, through the pass rule
    }

    /// <summary>SqueezeNet ends in a Softmax node: LRP explains the class logit feeding it (all-finite, not all
    /// zero); asked not to, it refuses the node by its ONNX name and op.</summary>
    [SharedFact("models/imagenet/squeezenet1.0-fp32.onnx", "fixtures/squeezenet1.0-fp32.coffee/input.npy")]
    public void SqueezeNet_FinalSoftmax_ExplainsTheLogit_OrIsRefusedByName()
    {
        var model = OnnxModel.Load(SharedData.Path("models/imagenet/squeezenet1.0-fp32.onnx"));
        var input = Npy.Read(SharedData.Path("fixtures/squeezenet1.0-fp32.coffee/input.npy"));
        var result = new Lrp(model).Explain(input, Target.Class(967));
        Assert.All(result.Map.ToArray(), v => Assert.True(float.IsFinite(v)));
        Assert.Contains(result.Map.ToArray(), v => v != 0f);
        Assert.Equal(0, model.Hooks.Count);
        var e = Assert.Throws<NotSupportedException>(() => new Lrp(model, new() { ExplainLogits = false }).Explain(input, Target.Class(967)));
        Assert.Contains("(Softmax, opset", e.Message);
        Assert.Equal(0, model.Hooks.Count);
    }

    /// <summary>Tiny Darknet (conv, LeakyReLU, max pooling, average pooling): LRP-ε with ε → 0 equals gradient ×
    /// input on the imported graph, and EpsilonPlusFlat runs with all-finite relevance.</summary>
    [SharedFact("models/imagenet/tiny-darknet.onnx", "fixtures/tiny-darknet.chelsea/input.npy")]
    public void TinyDarknet_EpsilonEqualsInputTimesGradient()
    {
        var model = OnnxModel.Load(SharedData.Path("models/imagenet/tiny-darknet.onnx"));
        var input = Npy.Read(SharedData.Path("fixtures/tiny-darknet.chelsea/input.npy"));
        var lrp = new Lrp(model, new() { Composite = Composites.Epsilon(1e-9f) }).Explain(input, Target.Class(285));
        var ixg = new InputXGradient(model).Explain(input, Target.Class(285)).Map;
        double diff = 0, norm = 0;
        var a = lrp.Map.AsReadOnlySpan();
        var b = ixg.AsReadOnlySpan();
        for (int i = 0; i < a.Length; i++) { diff += (a[i] - b[i]) * (double)(a[i] - b[i]); norm += b[i] * (double)b[i]; }
        Assert.True(Math.Sqrt(diff / norm) < 1e-3, $"rel L2 {Math.Sqrt(diff / norm)}");
        var flat = new Lrp(model).Explain(input, Target.Class(285)).Map.ToArray();
        Assert.All(flat, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(flat, v => v != 0f);
    }
}
