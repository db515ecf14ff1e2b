using Lumen.Attribution.Baselines;
using Lumen.Attribution.Cam;
using Lumen.Attribution.Gradient;
using Lumen.Attribution.Perturbation;
using Lumen.Attribution.Propagation;
using Lumen.NN;

namespace Lumen.Attribution;

/// <summary>One entry of the method catalog.</summary>
/// <param name="Name">Kebab-case catalog name, e.g. <c>integrated-gradients</c>.</param>
/// <param name="Aliases">Short names accepted by the CLI, e.g. <c>ig</c>.</param>
/// <param name="DisplayName">The established name, e.g. Integrated Gradients.</param>
/// <param name="Family">Gradient, propagation, CAM, perturbation or baseline (model-independent controls).</param>
/// <param name="Summary">One line for help texts and reports.</param>
/// <param name="Options">Its options records, their defaults and the constructor that takes them.</param>
public sealed record AttributionMethodInfo(string Name, string[] Aliases, string DisplayName, string Family, string Summary, MethodOptions Options)
{
    /// <summary>Builds the method with its default options for <paramref name="model"/>.</summary>
    public IAttributionMethod Create(Module model) => Options.Create(model, Name, []);

    /// <summary>Builds the method for <paramref name="model"/> with the options <paramref name="settings"/> give it
    /// (settings of other methods are not looked at); throws naming the setting when one is not accepted.</summary>
    public IAttributionMethod Create(Module model, MethodSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Options.Create(model, Name, settings.For(Name));
    }
}

/// <summary>
/// The catalog of attribution methods by name: the CLI, the reports and the tests enumerate it, so no code
/// switches on method names.
/// </summary>
public static class KnownAttributionMethods
{
    /// <summary>The names of SmoothGrad's options in the paper (σ, n) and in Captum's NoiseTunnel (stdevs, nt_samples).</summary>
    private static readonly (string, string)[] NoiseAliases = [("sigma", "noise-level"), ("stdevs", "noise-level"), ("n", "samples"), ("nt-samples", "samples")];

    /// <summary>Every method, in the order reports show them.</summary>
    public static IReadOnlyList<AttributionMethodInfo> All { get; } =
    [
        new("saliency", ["grad"], "Saliency", "gradient", "|∂f/∂x|: how sensitive the score is to each input feature.", MethodOptions.Of(() => new SaliencyOptions(), (m, o) => new Saliency(m, o))),
        new("input-x-gradient", ["ixg", "gradient-x-input"], "Input × Gradient", "gradient", "x · ∂f/∂x: first-order contribution of each feature.", MethodOptions.Of(() => new InputXGradientOptions(), (m, o) => new InputXGradient(m, o))),
        new("integrated-gradients", ["ig"], "Integrated Gradients", "gradient", "(x − x′) · ∫ ∂f/∂x along the path from a zero baseline; sums to f(x) − f(x′).", MethodOptions.Of(() => new IntegratedGradientsOptions(), (m, o) => new IntegratedGradients(m, o))),
        new("smooth-grad", ["smoothgrad", "noise-tunnel"], "SmoothGrad", "gradient", "Saliency averaged over Gaussian-noised copies of the input (σ = 15% of its range, 50 copies).", MethodOptions.Of(() => new SmoothGradOptions(), () => new SaliencyOptions(), (m, o, inner) => new SmoothGrad(m, new Saliency(m, inner), o)).WithAliases(NoiseAliases)),
        new("smooth-grad-squared", ["smoothgrad-sq", "smoothgrad2"], "SmoothGrad²", "gradient", "The mean of the squared gradients of Gaussian-noised copies of the input.", MethodOptions.Of(() => new SmoothGradOptions { Aggregation = NoiseAggregation.MeanOfSquares }, () => new SaliencyOptions(), (m, o, inner) => new SmoothGrad(m, new Saliency(m, inner), o)).WithAliases(NoiseAliases)),
        new("var-grad", ["vargrad"], "VarGrad", "gradient", "The variance of the gradient over Gaussian-noised copies of the input.", MethodOptions.Of(() => new SmoothGradOptions { Aggregation = NoiseAggregation.Variance }, () => new SaliencyOptions { Absolute = false }, (m, o, inner) => new SmoothGrad(m, new Saliency(m, inner), o)).WithAliases(NoiseAliases)),
        new("gradient-shap", ["gradientshap", "expected-gradients"], "GradientShap", "gradient", "E[(x − x′) · ∂f/∂x at a random point between x and a baseline x′ drawn from zero and noise references].", MethodOptions.Of(() => new GradientShapOptions(), (m, o) => new GradientShap(m, o))),
        new("grad-cam", ["gradcam"], "Grad-CAM", "cam", "ReLU(Σₖ mean(∂f/∂Aₖ) · Aₖ) on the last spatial layer, upsampled to the input.", MethodOptions.Of(() => new CamOptions(), (m, o) => new GradCam(m, o))),
        new("grad-cam-plus-plus", ["gradcam++", "grad-cam++"], "Grad-CAM++", "cam", "Grad-CAM with per-position weights on positive gradients (several instances of a class).", MethodOptions.Of(() => new CamOptions(), (m, o) => new GradCamPlusPlus(m, o))),
        new("x-grad-cam", ["xgradcam"], "XGrad-CAM", "cam", "Grad-CAM with activation-normalised gradient weights (sensitivity and conservation axioms).", MethodOptions.Of(() => new CamOptions(), (m, o) => new XGradCam(m, o))),
        new("layer-cam", ["layercam"], "Layer-CAM", "cam", "Σₖ ReLU(∂f/∂Aₖ) · Aₖ position by position: finer maps from shallower layers.", MethodOptions.Of(() => new CamOptions(), (m, o) => new LayerCam(m, o))),
        new("eigen-cam", ["eigencam"], "Eigen-CAM", "cam", "First principal component of the last spatial layer's activation; gradient-free, target-independent.", MethodOptions.Of(() => new CamOptions(), (m, o) => new EigenCam(m, o))),
        new("score-cam", ["scorecam"], "Score-CAM", "cam", "ReLU(Σₖ αₖ Aₖ) on the last spatial layer, αₖ = softmax over channels of the score of the input masked by channel k (upsampled, min-max normalised); gradient-free, one forward pass per channel.", MethodOptions.Of(() => new ScoreCamOptions(), (m, o) => new ScoreCam(m, o))),
        new("lrp", ["layer-wise-relevance-propagation"], "LRP", "propagation", "Relevance propagated layer by layer from the output score (z⁺ on convolutions, ε on dense layers, flat on the first layer).", MethodOptions.Of(() => new LrpOptions(), (m, o) => new Lrp(m, o))),
        new("deep-lift", ["deeplift"], "DeepLift", "propagation", "Contributions m·(x − x′) propagated as difference-from-reference multipliers; sums to f(x) − f(0).", MethodOptions.Of(() => new DeepLiftOptions(), (m, o) => new DeepLift(m, o))),
        new("deep-lift-shap", ["deepliftshap", "deep-shap"], "DeepLiftShap", "propagation", "DeepLift averaged over a distribution of references (zero and uniform noise).", MethodOptions.Of(() => new DeepLiftShapOptions(), (m, o) => new DeepLiftShap(m, o))),
        new("guided-backprop", ["guided-backpropagation", "gbp"], "Guided Backprop", "propagation", "The gradient with only positive gradient passed back through every rectifier.", MethodOptions.None(m => new GuidedBackprop(m))),
        new("deconvolution", ["deconvnet"], "Deconvolution", "propagation", "The gradient with every rectifier's backward replaced by a ReLU of the incoming gradient.", MethodOptions.None(m => new Deconvolution(m))),
        new("guided-grad-cam", ["guided-gradcam"], "Guided Grad-CAM", "propagation", "Guided backprop times the non-negative Grad-CAM map upsampled (nearest) to the input.", MethodOptions.Of(() => new GuidedGradCamOptions(), (m, o) => new GuidedGradCam(m, o))),
        new("occlusion", ["occ"], "Occlusion", "perturbation", "Mean score drop when a 16×16 window sliding by 8 is set to zero; recomputes only each window's receptive field.", MethodOptions.Of(() => new OcclusionOptions(), (m, o) => new Occlusion(m, o))),
        new("feature-ablation", ["ablation"], "Feature Ablation", "perturbation", "Score drop when each 16×16 patch is set to zero, in turn.", MethodOptions.Of(() => new FeatureAblationOptions { Mask = FeatureMask.Grid(16) }, (m, o) => new FeatureAblation(m, o))),
        new("shapley-value-sampling", ["svs", "shapley-sampling"], "Shapley Value Sampling", "perturbation", "Shapley values of 32×32 patches (zero when absent), averaged over 25 random orders; sums to f(x) − f(0).", MethodOptions.Of(() => new ShapleyOptions { Mask = FeatureMask.Grid(32) }, (m, o) => new ShapleyValueSampling(m, o))),
        new("lime", [], "LIME", "perturbation", "Coefficients of a ridge-regularised linear model fitted to 200 random on/off patterns of 16×16 patches.", MethodOptions.Of(() => new LimeOptions(), (m, o) => new Lime(m, o))),
        new("lime-slic", ["lime-superpixels"], "LIME (SLIC)", "perturbation", "LIME on about 50 SLIC superpixels of each image (compactness 10) instead of a grid: 200 random on/off patterns, ridge fit.", MethodOptions.Of(() => new LimeOptions { Mask = FeatureMask.Slic(50) }, (m, o) => new Lime(m, o, "lime-slic"))),
        new("kernel-shap", ["kernelshap", "shap"], "KernelSHAP", "perturbation", "LIME with the Shapley kernel and least squares: Shapley values of 16×16 patches from 200 samples.", MethodOptions.Of(() => new LimeOptions(), (m, o) => new KernelShap(m, o))),
        new("rise", [], "RISE", "perturbation", "Score-weighted mean of 1000 random smooth masks (7×7 cells, p = ½); one channel.", MethodOptions.Of(() => new RiseOptions(), (m, o) => new Rise(m, o))),
        new("meaningful-perturbation", ["meaningful", "mp"], "Meaningful Perturbation", "perturbation", "1 − m for the smooth mask m (H/8 × W/8 cells, upsampled) whose blur deletes the least while destroying the score most: 300 Adam steps on area + total variation + score; one channel.", MethodOptions.Of(() => new MeaningfulPerturbationOptions(), (m, o) => new MeaningfulPerturbation(m, o))),
        new("extremal-perturbation", ["extremal", "ep"], "Extremal Perturbation", "perturbation", "The smooth mask of 10 % of the image that keeps the score highest against a blurred input: 300 Adam steps with a sorted-rank area loss; one channel.", MethodOptions.Of(() => new ExtremalPerturbationOptions(), (m, o) => new ExtremalPerturbation(m, o))),
        new("edge-detector", ["sobel"], "Edge detector (control)", "baseline", "Sobel magnitude of the input: ignores the model, the control that sanity checks must not change.", MethodOptions.None(m => new EdgeDetector(m))),
    ];

    /// <summary>Finds a method by name or alias (case-insensitive), or throws listing the known names.</summary>
    public static AttributionMethodInfo Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase) || m.Aliases.Contains(name, StringComparer.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown attribution method '{name}'. Known: {string.Join(", ", All.Select(m => m.Name))}.");
    }

    /// <summary>Builds the named method for <paramref name="model"/> with default options.</summary>
    public static IAttributionMethod Create(string name, Module model) => Find(name).Create(model);

    /// <summary>Builds the named method for <paramref name="model"/> with the options <paramref name="settings"/> give it.</summary>
    public static IAttributionMethod Create(string name, Module model, MethodSettings settings) => Find(name).Create(model, settings);
}
