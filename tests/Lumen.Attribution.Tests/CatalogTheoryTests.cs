using Lumen.Attribution.Common;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests;

/// <summary>
/// The cross-method theory (ARCHITECTURE B6, Captum's test_config): every entry of
/// <see cref="KnownAttributionMethods.All"/>, with its default options, on a small native convolutional net.
/// </summary>
public class CatalogTheoryTests
{
    private static readonly Tensor Input = Tensor.Rand(new Shape(2, 2, 6, 6), seed: 11, low: -1f, high: 1f);
    private static readonly Target Target = Target.Classes([1, 0]);

    public static TheoryData<string> Methods()
    {
        var data = new TheoryData<string>();
        foreach (var info in KnownAttributionMethods.All) data.Add(info.Name);
        return data;
    }

    /// <summary>The methods that run the model (every family but the model-independent baselines).</summary>
    public static TheoryData<string> ModelMethods()
    {
        var data = new TheoryData<string>();
        foreach (var info in KnownAttributionMethods.All.Where(m => m.Family != "baseline")) data.Add(info.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Map_has_the_input_shape_or_one_channel_and_is_finite(string name)
    {
        var result = Explain(name, new TheoryNet(reuseRelu: false));
        var map = result.Map.Shape;
        Assert.Equal(Input.Rank, map.Rank);
        Assert.Equal(Input.Shape[0], map[0]);
        Assert.True(map[1] == Input.Shape[1] || map[1] == 1, $"{name}: {map[1]} channels for an input with {Input.Shape[1]}");
        Assert.Equal(Input.Shape[2], map[2]);
        Assert.Equal(Input.Shape[3], map[3]);
        Assert.All(result.Map.ToArray(), v => Assert.True(float.IsFinite(v), $"{name}: {v}"));
        if (result.Delta is { } delta) Assert.All(delta.ToArray(), v => Assert.True(float.IsFinite(v), $"{name} delta: {v}"));
        Assert.Equal(name, result.Method);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void The_same_seed_gives_the_same_map(string name)
    {
        var model = new TheoryNet(reuseRelu: false);
        Assert.Equal(Explain(name, model).Map.ToArray(), Explain(name, model).Map.ToArray());
    }

    /// <summary>With a default memory budget of one byte every expanding method runs one row per chunk.</summary>
    [Theory]
    [MemberData(nameof(Methods))]
    public void Chunked_equals_unchunked(string name)
    {
        var model = new TheoryNet(reuseRelu: false);
        var whole = Explain(name, model).Map.ToArray();
        float[] chunked;
        using (Batching.UseDefaultBudget(1)) chunked = Explain(name, model).Map.ToArray();
        GradAssert.Close(whole, chunked, 1e-5f * (1 + whole.Max(Math.Abs)));
    }

    [Theory]
    [MemberData(nameof(ModelMethods))]
    public void No_hook_is_left_behind_when_the_forward_pass_throws(string name)
    {
        var model = new TheoryNet(reuseRelu: true);
        var method = KnownAttributionMethods.Create(name, model);
        model.FailAfterFirstBlock = true;
        var error = Assert.ThrowsAny<Exception>(() => method.Explain(Input, Target));
        Assert.Contains(TheoryNet.Failure, error.ToString());
        Assert.Equal(0, model.Hooks.Count);
        model.FailAfterFirstBlock = false;
        method.Explain(Input, Target);
        Assert.Equal(0, model.Hooks.Count);
    }

    /// <summary>Captum #1082: a module called twice in one forward pass (one ReLU for two layers) must be explained as
    /// if the two calls were two modules.</summary>
    [Theory]
    [MemberData(nameof(Methods))]
    public void A_module_used_twice_gives_the_same_answer_as_two_modules(string name)
    {
        var twice = Explain(name, new TheoryNet(reuseRelu: true)).Map.ToArray();
        var separate = Explain(name, new TheoryNet(reuseRelu: false)).Map.ToArray();
        GradAssert.Close(separate, twice, 1e-5f * (1 + separate.Max(Math.Abs)));
    }

    private static Attribution Explain(string name, Module model) => KnownAttributionMethods.Create(name, model).Explain(Input, Target);

    /// <summary>conv 2→3 (3×3, pad 1) → ReLU → conv 3→3 (3×3, pad 1) → ReLU → global average → linear 3→2; with
    /// <c>reuseRelu</c> both rectifiers are one module. The weights are the same for both variants.</summary>
    internal sealed class TheoryNet : Module, IContainer
    {
        public const string Failure = "TheoryNet: forward failed on purpose";
        private readonly Conv2d conv1, conv2;
        private readonly Relu relu1, relu2;
        private readonly AdaptiveAvgPool2d pool;
        private readonly Flatten flatten;
        private readonly Linear fc;

        public TheoryNet(bool reuseRelu)
        {
            var rng = new Random(5);
            conv1 = Register("conv1", new Conv2d(2, 3, 3, padding: 1, rng: rng));
            relu1 = Register("relu1", new Relu());
            conv2 = Register("conv2", new Conv2d(3, 3, 3, padding: 1, rng: rng));
            relu2 = reuseRelu ? relu1 : Register("relu2", new Relu());
            pool = Register("pool", new AdaptiveAvgPool2d(1, 1));
            flatten = Register("flatten", new Flatten());
            fc = Register("fc", new Linear(3, 2, rng: rng));
        }

        public bool FailAfterFirstBlock { get; set; }

        protected override Tensor Forward(Tensor x)
        {
            var h = relu1.Call(conv1.Call(x)); // [B, 3, 6, 6]
            if (FailAfterFirstBlock) throw new InvalidOperationException(Failure);
            h = relu2.Call(conv2.Call(h));     // [B, 3, 6, 6]
            return fc.Call(flatten.Call(pool.Call(h))); // [B, 2]
        }
    }
}
