using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Attribution.Propagation;

/// <summary>
/// The standard LRP composites (Zennit's), choosing a rule per module role: convolutions, dense layers, other
/// affine layers (sums, average pooling, batch norm), activations (pass), and modules that only move or select
/// values (their gradient). Softmax and unknown modules get no rule and are refused.
/// </summary>
/// <remarks>Kohlbrenner et al., "Towards Best Practice in Explaining Neural Network Decisions with LRP" (IJCNN 2020),
/// https://arxiv.org/abs/1910.09840</remarks>
/// <example><code>var lrp = new Lrp(model, new() { Composite = Composites.EpsilonGammaBox(-1f, 1f) });</code></example>
public static class Composites
{
    /// <summary>LRP-ε on every linear and affine layer (Captum's default rules with ε = 1e-9 match ε → 0).</summary>
    public static Composite Epsilon(float epsilon = 1e-6f) => ByRole("epsilon", Rules.Epsilon(epsilon), Rules.Epsilon(epsilon), epsilon);

    /// <summary>z⁺ on convolutions, ε on dense layers.</summary>
    public static Composite EpsilonPlus(float epsilon = 1e-6f) => ByRole("epsilon-plus", Rules.ZPlus(), Rules.Epsilon(epsilon), epsilon);

    /// <summary><see cref="EpsilonPlus"/> with the flat rule on the first linear layer.</summary>
    public static Composite EpsilonPlusFlat(float epsilon = 1e-6f) =>
        ByRole("epsilon-plus-flat", Rules.ZPlus(), Rules.Epsilon(epsilon), epsilon) with { FirstLayer = Rules.Flat() };

    /// <summary>γ on convolutions, ε on dense layers, z^B with the input bounds on the first layer.</summary>
    public static Composite EpsilonGammaBox(Tensor low, Tensor high, float epsilon = 1e-6f, float gamma = 0.25f) =>
        ByRole("epsilon-gamma-box", Rules.Gamma(gamma), Rules.Epsilon(epsilon), epsilon) with { FirstLayer = Rules.ZBox(low, high) };

    /// <summary><see cref="EpsilonGammaBox(Tensor, Tensor, float, float)"/> with scalar bounds.</summary>
    public static Composite EpsilonGammaBox(float low, float high, float epsilon = 1e-6f, float gamma = 0.25f) =>
        ByRole("epsilon-gamma-box", Rules.Gamma(gamma), Rules.Epsilon(epsilon), epsilon) with { FirstLayer = Rules.ZBox(low, high) };

    /// <summary>α2β1 on convolutions, ε on dense layers.</summary>
    public static Composite EpsilonAlpha2Beta1(float epsilon = 1e-6f) => ByRole("epsilon-alpha2-beta1", Rules.AlphaBeta(2f, 1f), Rules.Epsilon(epsilon), epsilon);

    /// <summary>Composites by name (those that need no bounds), for the CLI and reports.</summary>
    public static IReadOnlyDictionary<string, Func<Composite>> Known { get; } = new Dictionary<string, Func<Composite>>(StringComparer.OrdinalIgnoreCase)
    {
        ["epsilon"] = () => Epsilon(),
        ["epsilon-plus"] = () => EpsilonPlus(),
        ["epsilon-plus-flat"] = () => EpsilonPlusFlat(),
        ["epsilon-alpha2-beta1"] = () => EpsilonAlpha2Beta1(),
    };

    /// <summary>The rule of a module by role: <paramref name="convolution"/> for linear layers with a weight of rank
    /// above 2, <paramref name="dense"/> for other linear layers, ε for the remaining affine layers, pass for
    /// activations, the gradient for structural and max-pooling modules; null (refused) otherwise.</summary>
    public static Composite ByRole(string name, PropagationRule convolution, PropagationRule dense, float epsilon = 1e-6f)
    {
        var affine = Rules.Epsilon(epsilon);
        return new Composite(name, (_, module) => module switch
        {
            ILinearLike linear => linear.Weight.Shape.Rank > 2 ? convolution : dense,
            IAffine => affine,
            IActivation => Rules.Pass,
            IStructural or IMaxPooling => PropagationRule.Gradient,
            _ => null,
        });
    }
}
