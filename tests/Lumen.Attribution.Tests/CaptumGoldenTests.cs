using Lumen.Attribution.Common;
using Lumen.Attribution.Gradient;
using Xunit.Abstractions;

namespace Lumen.Attribution.Tests;

/// <summary>
/// Lumen's gradient methods against Captum 0.8.0 on the three shipped ImageNet models (shared/fixtures, made from the
/// exact <c>input.npy</c> with the target class and parameters of <c>results.json</c>), by relative L2 error
/// ‖a − b‖/‖b‖.
/// </summary>
/// <remarks>
/// <para><b>Target space.</b> SqueezeNet: Captum ran an onnx2torch conversion of the opset-13 re-export of
/// <c>squeezenet1.0-fp32.onnx</c> with its inference-time Dropout removed and its final Softmax on axis 1
/// (shared/fixtures/README.md; results.json gives a [1, 1000, 1, 1] output summing to 1). The shipped ONNX file (opset
/// 7) computes the same function: Dropout is the identity at inference, and its Softmax (axis 1, opset &lt; 13: over
/// the flattened [1000·1·1] trailing dimensions) is the same softmax. So the explained score is the softmax
/// PROBABILITY of class 967, which is <see cref="Target.Class"/> on this model's output (<see cref="Target.Probability"/>
/// would apply a second softmax). MobileNetV2 and Tiny Darknet output logits: <see cref="Target.Class"/> is the logit.</para>
/// <para><b>Captum's trapezoid is not the trapezoid rule.</b> Captum's <c>riemann_trapezoid</c> uses αₖ = k/(n−1)
/// with weights 1/n, the two ends halved, so Σ w = (n−1)/n (0.98 for n = 50) instead of 1. Lumen's
/// <see cref="Quadrature.RiemannTrapezoid"/> is the true rule (weights 1/(n−1), ends halved); at the same nodes
/// Captum's weights are Lumen's times (n−1)/n, so the golden equals Lumen's map scaled by (n−1)/n. Without that
/// factor the error is exactly 1/(n−1) = 2.04e-2 on all three models (measured).</para>
/// <para><b>Tolerance.</b> The target is 1e-4, met by Saliency and InputXGradient on SqueezeNet (7.0e-5, 7.7e-5). The
/// other cases sit at the float32 noise floor of these networks: Lumen's own result moves by 1.9e-3 (MobileNetV2
/// saliency), 2.2e-3 (Tiny Darknet saliency) and 1.0e-3 (SqueezeNet IG) when the input is multiplied by
/// (1 + ε), |ε| ≤ 1e-7, about one float32 rounding (<see cref="GoldenNoiseFloorTests"/> re-measures the saliency
/// figures). Many ReLU/LeakyReLU/ReLU6 pre-activations lie within rounding of their kink, so any two float32
/// implementations that sum in different orders disagree there. The measured errors (5.8e-4 to 1.6e-3) are below
/// that floor; the tolerance for those cases is 3e-3, which still fails any real difference found so far (the
/// trapezoid weights: 2.04e-2; a wrong target or quadrature rule: ≥ 1e-2).</para>
/// <para><b>Causes ruled out</b> (measured on the fixtures; <see cref="GoldenNoiseFloorTests"/> keeps the evidence):
/// the forward pass (Lumen's outputs equal logits.npy to relative L2 1.2e-6 on MobileNetV2 and Tiny Darknet, 2.4e-8 on
/// SqueezeNet's probabilities); the quadrature (the same Gauss–Legendre nodes and weights, α rounded to float32 as
/// PyTorch does, and α·x formed in float32 as Captum does with a zero baseline; summing 50 weighted float32 terms in
/// another order changes an element by a few roundings, ~1e-6 relative, not 1e-3); the baseline and target (the same
/// zero tensor and class; a scale or target error would spread over every element, but 99% of the squared saliency
/// difference sits in ~100 of 150,528 elements on MobileNetV2 and Tiny Darknet — IG's in ~21%, each of its 50 nodes
/// flipping its own units); Lumen's own evaluation order (its maps are bit-identical for 1 or 2 threads, for
/// a row alone or inside a batch, and for IG in chunks of 7 or 50 rows). What remains is the conditioning of the
/// networks: on the IG path some nodes α·x have a rectifier within one rounding of its kink — on SqueezeNet, well
/// conditioned at x itself, one input rounding moves the gradient at a node by either ~1e-6 or 1e-3 to 1e-2, and the
/// two nodes with the largest gradient are of the second kind — so PyTorch's convolutions (oneDNN/OpenBLAS, other
/// summation orders) and Lumen's legitimately disagree there. Matching to 1e-4 would need bit-identical float32
/// kernels, not a fix in the attribution code.</para>
/// </remarks>
public class CaptumGoldenTests(ITestOutputHelper output)
{
    /// <summary>Cases that meet the 1e-4 target; every other case is held to <see cref="NoiseFloorTolerance"/>.</summary>
    private static readonly HashSet<(string, string)> AtTarget =
    [
        ("squeezenet1.0-fp32.coffee", "Saliency"),
        ("squeezenet1.0-fp32.coffee", "InputXGradient"),
    ];

    private const double TargetTolerance = 1e-4;
    private const double NoiseFloorTolerance = 3e-3;

    public static IEnumerable<object[]> Cases() =>
        from p in CaptumFixtures.Pairs
        from method in new[] { "Saliency", "InputXGradient", "IntegratedGradients", "IntegratedGradients_riemann_trapezoid" }
        select new object[] { p.Pair, p.Model, method };

    [SharedTheory("fixtures/VALID.json")]
    [MemberData(nameof(Cases))]
    public void Matches_Captum(string pair, string model, string method)
    {
        Assert.Contains(method, CaptumFixtures.ValidFiles(pair));
        var zoo = CaptumFixtures.Model(model);
        var input = CaptumFixtures.Npy(pair, "input");
        var expected = CaptumFixtures.Npy(pair, method);
        var target = Target.Class(CaptumFixtures.TargetClass(pair));
        var parameters = CaptumFixtures.Params(pair, method);

        float scale = 1f;
        IAttributionMethod explainer;
        switch (method)
        {
            case "Saliency":
                explainer = new Saliency(zoo.Module, new() { Absolute = parameters.GetProperty("abs").GetBoolean() });
                break;
            case "InputXGradient":
                explainer = new InputXGradient(zoo.Module);
                break;
            default:
                int steps = parameters.GetProperty("n_steps").GetInt32();
                bool gaussLegendre = parameters.GetProperty("method").GetString()!.StartsWith("gausslegendre", StringComparison.Ordinal);
                Assert.Equal("zeros", parameters.GetProperty("baseline").GetString());
                explainer = new IntegratedGradients(zoo.Module, new()
                {
                    Steps = steps,
                    Quadrature = gaussLegendre ? Quadrature.GaussLegendre : Quadrature.RiemannTrapezoid,
                    Baseline = Baseline.Zero,
                });
                if (!gaussLegendre) scale = (steps - 1f) / steps; // Captum's trapezoid weights sum to (n − 1)/n
                break;
        }
        var map = explainer.Explain(input, target).Map * scale;

        Assert.Equal(expected.Shape, map.Shape);
        double error = CaptumFixtures.RelativeL2(map.AsReadOnlySpan(), expected.AsReadOnlySpan());
        double tolerance = AtTarget.Contains((pair, method)) ? TargetTolerance : NoiseFloorTolerance;
        output.WriteLine($"{pair} {method}: relative L2 {error:E3} (tolerance {tolerance:E0})");
        Assert.True(error <= tolerance, $"{pair} {method}: relative L2 error {error:E3} > {tolerance:E0}");
    }
}
