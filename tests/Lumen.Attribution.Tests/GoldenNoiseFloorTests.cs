using Lumen.Attribution.Common;
using Lumen.Attribution.Gradient;
using Lumen.Tensors;
using Xunit.Abstractions;

namespace Lumen.Attribution.Tests;

/// <summary>
/// Why <see cref="CaptumGoldenTests"/> cannot hold MobileNetV2 and Tiny Darknet to 1e-4: Lumen's own input gradient
/// on the fixture input moves by more than that when the input is multiplied by (1 + ε), |ε| ≤ 1e-7 (about one
/// float32 rounding), because many rectifier pre-activations lie within rounding of their kink. SqueezeNet is far
/// better conditioned there, and its Saliency/InputXGradient goldens do meet 1e-4 — but not on the IG path, where some
/// points α·x are as badly conditioned.
/// </summary>
public class GoldenNoiseFloorTests(ITestOutputHelper output)
{
    [SharedTheory("fixtures/VALID.json")]
    [InlineData("mobilenetv2-1.0-224.coffee", "mobilenetv2", 5e-4)]
    [InlineData("tiny-darknet.chelsea", "tiny-darknet", 5e-4)]
    public void One_rounding_of_the_input_moves_the_gradient_by_more_than_the_golden_target(string pair, string model, double atLeast)
    {
        var zoo = CaptumFixtures.Model(model);
        var input = CaptumFixtures.Npy(pair, "input");
        var saliency = new Saliency(zoo.Module, new() { Absolute = false });
        var target = Target.Class(CaptumFixtures.TargetClass(pair));
        var reference = saliency.Explain(input, target).Map;
        // Up to six seeded perturbations, the largest change: whether one flips a rectifier or a max-pool tie depends on
        // the convolutions' rounding. With Winograd's 3×3 convolutions (ConvolutionAlgorithms.Winograd), Tiny Darknet's
        // gradient did not move at all under four of six seeds, by 3.5e-5 under seed 1 and by 1.1e-3 under seed 5; with
        // the im2col summation, by 1.1e-3–2.2e-3 under every seed (identical input patches gave bitwise equal outputs
        // there, so ties such as max-pool ones were exact and any nudge broke them).
        double change = 0;
        for (int seed = 1; seed <= 6 && change < atLeast; seed++)
        {
            var moved = saliency.Explain(Nudged(input, 1f, seed: seed), target).Map;
            double moves = CaptumFixtures.RelativeL2(moved.AsReadOnlySpan(), reference.AsReadOnlySpan());
            output.WriteLine($"{pair}: relative L2 change of the gradient under a 1e-7 relative input perturbation (seed {seed}): {moves:E3}");
            change = Math.Max(change, moves);
        }
        Assert.True(change >= atLeast, $"{pair}: the gradient moved by only {change:E3} (< {atLeast:E0}); the golden tolerance may be tightened.");
    }

    [SharedTheory("fixtures/VALID.json")]
    [InlineData("mobilenetv2-1.0-224.coffee", "mobilenetv2")]
    [InlineData("tiny-darknet.chelsea", "tiny-darknet")]
    public void The_saliency_difference_from_Captum_sits_in_a_few_isolated_elements(string pair, string model)
    {
        // A systematic difference (a target, scale, baseline or accumulation-order effect) spreads over every element in
        // proportion to the gradient; a rectifier that one rounding flips to the other side of its kink changes the
        // gradient only where that unit's path reaches. Measured: 99% of the squared error in 91 (MobileNetV2) and 105
        // (Tiny Darknet) of the 150,528 elements.
        var zoo = CaptumFixtures.Model(model);
        var map = new Saliency(zoo.Module, new() { Absolute = true }).Explain(CaptumFixtures.Npy(pair, "input"), Target.Class(CaptumFixtures.TargetClass(pair))).Map.ToArray();
        var golden = CaptumFixtures.Npy(pair, "Saliency").ToArray();
        int holding = ElementsHolding(0.99, map, golden);
        output.WriteLine($"{pair}: {holding} of {map.Length} elements hold 99% of the squared difference from Captum");
        Assert.True(holding < map.Length / 1000, $"{pair}: the difference from Captum is spread over {holding} elements; look for a systematic cause.");
    }

    [SharedFact("fixtures/VALID.json")]
    public void Squeezenet_is_badly_conditioned_at_the_ig_nodes_that_carry_the_most_gradient()
    {
        // SqueezeNet's saliency at x meets 1e-4 against Captum, its IG (50 Gauss–Legendre nodes) only 8.9e-4. Per node,
        // one input rounding moves the gradient at α·x either by ~1e-6 (no unit near a kink) or by 1e-3 to 1e-2 (one
        // flips): bimodal, the signature of kinks rather than of smooth float32 error. Nodes 8 and 9 (α = 0.072,
        // 0.089), where the gradient is largest, move by 2.4e-3 and 9.6e-3, node 10 (α = 0.108) by 5e-7.
        const string pair = "squeezenet1.0-fp32.coffee";
        var zoo = CaptumFixtures.Model("squeezenet");
        var input = CaptumFixtures.Npy(pair, "input");
        var target = Target.Class(CaptumFixtures.TargetClass(pair));
        var saliency = new Saliency(zoo.Module, new() { Absolute = false });
        var (alphas, _) = QuadratureRule.Points(Quadrature.GaussLegendre, 50);
        var changes = new[] { 8, 9, 10 }.Select(k =>
        {
            float alpha = (float)alphas[k];
            var reference = saliency.Explain(Nudged(input, alpha, nudge: false), target).Map;
            var moved = saliency.Explain(Nudged(input, alpha), target).Map;
            return CaptumFixtures.RelativeL2(moved.AsReadOnlySpan(), reference.AsReadOnlySpan());
        }).ToArray();
        output.WriteLine($"gradient change under one input rounding at nodes 8, 9, 10: {string.Join(", ", changes.Select(c => c.ToString("E2")))}");
        Assert.True(Math.Max(changes[0], changes[1]) >= 1e-3, $"nodes 8 and 9 moved by only {changes[0]:E2}, {changes[1]:E2}");
        Assert.True(changes[2] < 1e-4, $"node 10 moved by {changes[2]:E2}");
    }

    /// <summary>α · x, with every element multiplied by 1 + ε, |ε| ≤ 1e-7 (drawn with <paramref name="seed"/>) when <paramref name="nudge"/>.</summary>
    private static Tensor Nudged(Tensor input, float alpha, bool nudge = true, int seed = 1)
    {
        var random = new Random(seed);
        var values = input.ToArray().Select(v => nudge ? (float)(alpha * v * (1 + 1e-7 * (2 * random.NextDouble() - 1))) : alpha * v).ToArray();
        return Tensor.FromArray(values, input.Shape.ToArray());
    }

    /// <summary>How many elements, largest first, hold <paramref name="share"/> of Σ (a − b)².</summary>
    private static int ElementsHolding(double share, float[] a, float[] b)
    {
        var squared = a.Zip(b, (x, y) => (double)(x - y) * (x - y)).OrderByDescending(v => v).ToArray();
        double total = squared.Sum(), running = 0;
        int count = 0;
        while (count < squared.Length && running < share * total) running += squared[count++];
        return count;
    }
}
