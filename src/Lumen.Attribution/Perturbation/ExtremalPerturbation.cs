using Lumen.NN;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Attribution.Perturbation;

/// <summary>
/// Extremal Perturbation: for a fixed area a, the smooth mask of that area that keeps the target score highest (the
/// preservation game), optimised with Lumen's autograd; the area is enforced by a rank loss on the sorted mask.
/// </summary>
/// <remarks>
/// With the coarse mask p (upsampled bilinearly to m), x̃ = x′ + m ⊙ (x − x′) (x′ the blurred input) and the normalised
/// score s̃ (<see cref="MaskOptimisation"/>), each area a minimises −s̃ + λₜ · mean((sort(vec m) − rₐ)²), where rₐ is
/// (1 − a)·N zeros followed by a·N ones and λₜ grows geometrically by <see cref="ExtremalPerturbationOptions.AreaWeightGrowth"/>
/// over the steps, so that the mask ends close to a binary mask of area a. The masks of all areas of a sample are
/// optimised together in one batch; the map is their mean (for nested masks, a ranking of the regions), and
/// <see cref="Masks"/> returns them one by one. The mask is the paper's smooth max of Gaussian bumps (σ =
/// <see cref="ExtremalPerturbationOptions.MaskSmoothing"/> cells) over a coarse grid, computed at the grid's resolution
/// and then upsampled bilinearly (TorchRay evaluates it at full resolution). Fong, Patrick and Vedaldi, "Understanding
/// Deep Networks via Extremal Perturbations and Smooth Masks" (ICCV 2019), https://arxiv.org/abs/1910.08485
/// </remarks>
/// <example><code>var masks = new ExtremalPerturbation(model, new() { Areas = [0.05, 0.1, 0.2] }).Masks(image, Target.Class(207)); // [B, 3, H, W]</code></example>
public sealed class ExtremalPerturbation : PerturbationMethod
{
    private readonly ExtremalPerturbationOptions options;
    private readonly MaskOptimisation.Settings settings;

    /// <summary>Binds Extremal Perturbation to <paramref name="model"/>.</summary>
    public ExtremalPerturbation(Module model, ExtremalPerturbationOptions? options = null) : base(model)
    {
        this.options = options ?? new();
        if (this.options.Areas is not { Count: > 0 } areas || areas.Any(a => !(a > 0 && a < 1)))
            throw new ArgumentOutOfRangeException(nameof(options), $"ExtremalPerturbation: needs at least one area, each in (0, 1), got [{string.Join(", ", this.options.Areas ?? [])}].");
        if (!(this.options.AreaWeight > 0) || !(this.options.AreaWeightGrowth >= 1))
            throw new ArgumentOutOfRangeException(nameof(options), $"ExtremalPerturbation: needs AreaWeight > 0 and AreaWeightGrowth ≥ 1, got {this.options.AreaWeight}, {this.options.AreaWeightGrowth}.");
        settings = new MaskOptimisation.Settings(this.options.Steps, this.options.LearningRate, this.options.MaskStride, 0.5f, this.options.Seed, this.options.MaskSmoothing, SmoothMax: true).Validated("ExtremalPerturbation");
    }

    /// <inheritdoc/>
    public override string Name => "extremal-perturbation";

    /// <inheritdoc/>
    public override Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        var masks = Masks(input, target, cancellation, progress);
        using (GradMode.Off()) return new Attribution(masks.Mean(1, keepDims: true), target, Name);
    }

    /// <summary>The mask of every area, [B, A, H, W] (A = the number of <see cref="ExtremalPerturbationOptions.Areas"/>).</summary>
    public Tensor Masks(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        Samples(input);
        ArgumentNullException.ThrowIfNull(target);
        int areas = options.Areas.Count, pixels = input.Rank == 4 ? input.Shape[2] * input.Shape[3] : 0;
        var ranks = Tensor.FromArray(Ranks(pixels), areas, pixels); // rₐ per area
        double growth = settings.Steps > 1 ? Math.Pow(options.AreaWeightGrowth, 1.0 / (settings.Steps - 1)) : 1;
        return MaskOptimisation.OptimiseEach("ExtremalPerturbation", Model, input, options.Baseline, target, areas, settings, (step, _, mask, score) =>
        {
            var sorted = mask.Reshape(areas, pixels).Sort(axis: 1).Values; // [A, N]
            float weight = (float)(options.AreaWeight * Math.Pow(growth, step));
            return (sorted - ranks).Pow(2f).Mean(1).Sum() * weight - score.Sum();
        }, cancellation, progress);
    }

    /// <summary>rₐ for every area: round((1 − a)·N) zeros, then ones ([A·N]).</summary>
    private float[] Ranks(int pixels)
    {
        var ranks = new float[options.Areas.Count * pixels];
        for (int a = 0; a < options.Areas.Count; a++)
        {
            int zeros = (int)Math.Round((1 - options.Areas[a]) * pixels);
            ranks.AsSpan(a * pixels + zeros, pixels - zeros).Fill(1f);
        }
        return ranks;
    }
}
