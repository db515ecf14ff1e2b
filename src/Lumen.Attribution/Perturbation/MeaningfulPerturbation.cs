using Lumen.NN;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Attribution.Perturbation;

/// <summary>
/// Meaningful Perturbation: a smooth mask, optimised with Lumen's autograd, that deletes (blurs) the smallest region
/// that destroys the target score, or keeps the smallest region that preserves it.
/// </summary>
/// <remarks>
/// With the coarse mask p (smoothed by a Gaussian of <see cref="MeaningfulPerturbationOptions.MaskSmoothing"/> cells
/// and upsampled to m), x̃ = x′ + m ⊙ (x − x′) (x′ the blurred input) and the normalised score
/// s̃ = (f(x̃) − f(x′)) / |f(x) − f(x′)| (<see cref="MaskOptimisation"/>), the deletion game minimises
/// λ₁ mean(1 − p) + λ₂ mean TV_β(p) + s̃ and returns 1 − m; the preservation game minimises
/// λ₁ mean(p) + λ₂ mean TV_β(p) − s̃ and returns m, where TV_β(p) = Σ |p_{i+1,j} − p_{i,j}|^β + |p_{i,j+1} − p_{i,j}|^β.
/// Means and the normalised score replace the paper's sums and softmax probability, so the weights do not depend on
/// the mask's resolution or on the scale of the model's logits. Deletion starts from p = 1, preservation from ½.
/// Fong and Vedaldi, "Interpretable Explanations of Black Boxes by Meaningful Perturbation" (ICCV 2017),
/// https://arxiv.org/abs/1704.03296
/// </remarks>
/// <example><code>var map = new MeaningfulPerturbation(model, new() { Game = PerturbationGame.Preservation }).Explain(image, Target.Class(207)).Map;</code></example>
public sealed class MeaningfulPerturbation : PerturbationMethod
{
    private readonly MeaningfulPerturbationOptions options;
    private readonly MaskOptimisation.Settings settings;

    /// <summary>Binds Meaningful Perturbation to <paramref name="model"/>.</summary>
    public MeaningfulPerturbation(Module model, MeaningfulPerturbationOptions? options = null) : base(model)
    {
        this.options = options ?? new();
        if (!(this.options.AreaWeight >= 0) || !(this.options.TvWeight >= 0) || !(this.options.TvExponent >= 1))
            throw new ArgumentOutOfRangeException(nameof(options), $"MeaningfulPerturbation: needs AreaWeight ≥ 0, TvWeight ≥ 0 and TvExponent ≥ 1, got {this.options.AreaWeight}, {this.options.TvWeight}, {this.options.TvExponent}.");
        float initial = this.options.Game == PerturbationGame.Deletion ? 1f : 0.5f;
        settings = new MaskOptimisation.Settings(this.options.Steps, this.options.LearningRate, this.options.MaskStride, initial, this.options.Seed, this.options.MaskSmoothing, SmoothMax: false).Validated("MeaningfulPerturbation");
    }

    /// <inheritdoc/>
    public override string Name => "meaningful-perturbation";

    /// <inheritdoc/>
    public override Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        Samples(input);
        ArgumentNullException.ThrowIfNull(target);
        bool deletion = options.Game == PerturbationGame.Deletion;
        var m = MaskOptimisation.OptimiseEach("MeaningfulPerturbation", Model, input, options.Baseline, target, 1, settings, (_, p, _, score) =>
        {
            var area = deletion ? (1f - p).Mean() : p.Mean();
            var objective = deletion ? score.Sum() : -score.Sum();
            return area * options.AreaWeight + TotalVariation(p, options.TvExponent) * options.TvWeight + objective;
        }, cancellation, progress); // [B, 1, H, W]
        using (GradMode.Off()) return new Attribution(deletion ? 1f - m : m, target, Name);
    }

    /// <summary>mean over positions of |Δᵧp|^β + |Δₓp|^β, for p [R, 1, h, w] (0 along an axis of length 1).</summary>
    internal static Tensor TotalVariation(Tensor p, float beta)
    {
        int h = p.Shape[2], w = p.Shape[3];
        var total = Tensor.Scalar(0f);
        if (h > 1) total += (p.Slice(2, 1, h) - p.Slice(2, 0, h - 1)).Abs().Pow(beta).Sum();
        if (w > 1) total += (p.Slice(3, 1, w) - p.Slice(3, 0, w - 1)).Abs().Pow(beta).Sum();
        return total * (1f / p.Size);
    }
}
