using Lumen.Attribution.Perturbation;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;
using Xunit.Abstractions;

namespace Lumen.Attribution.Tests.Perturbation;

/// <summary>Incremental occlusion (recompute only the receptive field of each window) against full forward passes:
/// equal to 1e-5 (relative L2 and max abs over the map scale) on every shipped ImageNet model and on a hand-built
/// module tree; and the documented fallbacks.</summary>
public class IncrementalOcclusionTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Models() => CaptumFixtures.Pairs.Select(p => new object[] { p.Pair, p.Model });

    [SharedTheory("fixtures/VALID.json")]
    [MemberData(nameof(Models))]
    public void Equals_full_passes_on_shipped_models(string pair, string model)
    {
        var module = CaptumFixtures.FreshModel(model).Module;
        var input = CaptumFixtures.Npy(pair, "input");
        var target = Target.Class(CaptumFixtures.TargetClass(pair));
        // Windows that do not divide the image (3 positions per axis, 189 of 224 rows covered), overlapping windows in
        // two channel positions, and a non-zero baseline exercise borders, alignment and batching of unequal crops.
        var options = new OcclusionOptions { Window = [2, 37, 29], Strides = [1, 76, 80], Baseline = Lumen.Attribution.Common.Baseline.Constant(0.3f), BatchSize = 7 };
        var engine = Lumen.Attribution.Perturbation.Incremental.IncrementalForward.TryCreate(module, input, target, out var reason);
        Assert.True(engine is not null, reason);
        var (local, total) = engine.Coverage;
        output.WriteLine($"{model}: {local} of {total} steps run on crops");
        Assert.True(local >= total - 4, $"{model}: only {local} of {total} steps run on crops");
        var incremental = new Occlusion(module, options);
        var fast = incremental.Explain(input, target).Map;
        Assert.Null(incremental.LastFallbackReason);
        var full = new Occlusion(module, options with { Incremental = false }).Explain(input, target).Map;
        AssertClose(full, fast, $"{model}");
    }

    [Fact]
    public void Equals_full_passes_on_a_module_tree()
    {
        var model = new Sequential(
            new Conv2d(2, 4, 3, stride: 1, padding: 1, rng: new Random(1)), new Relu(),
            new MaxPool2d(3, stride: 2, padding: 1),
            new Conv2d(4, 3, (3, 3), (2, 2), (0, 2, 1, 0), (2, 1), rng: new Random(2)), new LeakyRelu(0.1f),
            new Flatten(), new Linear(3 * 3 * 5, 5, rng: new Random(3)));
        var input = Tensor.Rand(new Shape(2, 2, 17, 19), seed: 4, low: -1f, high: 1f);
        var target = Target.Classes([1, 3]);
        var options = new OcclusionOptions { Window = [3, 4], Strides = [2, 3], BatchSize = 5 };
        var occlusion = new Occlusion(model, options);
        var fast = occlusion.Explain(input, target).Map;
        Assert.Null(occlusion.LastFallbackReason);
        var full = new Occlusion(model, options with { Incremental = false }).Explain(input, target).Map;
        AssertClose(full, fast, "module tree");
    }

    [Fact]
    public void Falls_back_to_full_passes_with_a_reason()
    {
        var model = new Sequential(new Conv2d(1, 2, 3, rng: new Random(1)), new Relu(), new Flatten(), new Linear(2 * 4 * 4, 3, rng: new Random(2)));
        var input = Tensor.Rand(new Shape(1, 1, 6, 6), seed: 1);
        var occlusion = new Occlusion(model, new() { Window = [2, 2], Strides = [2, 2] });
        using (model.Hooks.OnForward("1", (a, _) => { }))
        {
            var hooked = occlusion.Explain(input, Target.Class(0)).Map;
            Assert.Contains("hook", occlusion.LastFallbackReason);
        }
        var neuron = occlusion.Explain(input, Target.Neuron("1", 0, 1, 1));
        Assert.Contains("hook point '1'", occlusion.LastFallbackReason);
        occlusion.Explain(input, Target.Class(0));
        Assert.Null(occlusion.LastFallbackReason);
    }

    private void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.AsReadOnlySpan();
        var a = actual.AsReadOnlySpan();
        double scale = 0, worst = 0;
        for (int i = 0; i < e.Length; i++) scale = Math.Max(scale, Math.Abs(e[i]));
        for (int i = 0; i < e.Length; i++) worst = Math.Max(worst, Math.Abs(e[i] - a[i]));
        double relative = CaptumFixtures.RelativeL2(a, e);
        output.WriteLine($"{what}: relative L2 {relative:E2}, max |Δ| {worst:E2} (map max {scale:E2})");
        Assert.True(scale > 0, $"{what}: the map is all zero, the test cannot fail");
        Assert.True(relative <= 1e-5 && worst <= 1e-5 * scale, $"{what}: incremental differs from full passes: relative L2 {relative:E2}, max |Δ| {worst:E2}");
    }
}
