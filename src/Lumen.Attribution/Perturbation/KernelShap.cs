using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Perturbation;

/// <summary>
/// KernelSHAP: <see cref="Lime"/> with the Shapley kernel and a least-squares fit, whose coefficients estimate the
/// Shapley values of the features.
/// </summary>
/// <remarks>
/// Coalition sizes are drawn with probability ∝ (K − 1)/(s(K − s)) (<see cref="LimeKernel.Shapley"/>) and fitted by
/// weighted least squares (<see cref="LimeSurrogate.LeastSquares"/>), with the empty and full coalitions weighted
/// heavily so that Σφ ≈ f(x) − f(x′). Lundberg and Lee, "A Unified Approach to Interpreting Model Predictions"
/// (NeurIPS 2017), https://arxiv.org/abs/1705.07874; Captum's KernelShap.
/// </remarks>
/// <example><code>var shap = new KernelShap(model, new() { Samples = 200, Mask = FeatureMask.Grid(16) });</code></example>
public sealed class KernelShap : PerturbationMethod
{
    private readonly Lime lime;

    /// <summary>Binds KernelSHAP to <paramref name="model"/>; <see cref="LimeOptions.Kernel"/> and
    /// <see cref="LimeOptions.Surrogate"/> are replaced by the Shapley kernel and least squares.</summary>
    public KernelShap(Module model, LimeOptions? options = null) : base(model) =>
        lime = new Lime(model, (options ?? new()) with { Kernel = LimeKernel.Shapley, Surrogate = LimeSurrogate.LeastSquares }, "kernel-shap");

    /// <inheritdoc/>
    public override string Name => lime.Name;

    /// <inheritdoc/>
    public override Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null) =>
        lime.Explain(input, target, cancellation, progress);
}
