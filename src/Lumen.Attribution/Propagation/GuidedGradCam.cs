using Lumen.Attribution.Cam;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Propagation;

/// <summary>Options of <see cref="GuidedGradCam"/>.</summary>
public sealed record GuidedGradCamOptions
{
    /// <summary>The Grad-CAM hook point; null picks the last spatial layer (<see cref="CamMethod.DefaultLayer"/>).</summary>
    public string? Layer { get; init; }
}

/// <summary>
/// Guided Grad-CAM: guided backpropagation (every rectifier guided) times the non-negative Grad-CAM map upsampled
/// to the input by nearest neighbour, combining pixel detail with class localisation.
/// </summary>
/// <remarks>map = GuidedBackprop(x) ⊙ up(ReLU(Σₖ αₖAₖ)), with up = nearest (PyTorch <c>interpolate(mode="nearest")</c>,
/// as Captum). Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via Gradient-based Localization"
/// (ICCV 2017), https://arxiv.org/abs/1610.02391</remarks>
/// <example><code>var map = new GuidedGradCam(model, new() { Layer = "conv10_1" }).Explain(input, Target.Class(207)).Map;</code></example>
public sealed class GuidedGradCam : IAttributionMethod
{
    private readonly Module model;
    private readonly GuidedGradCamOptions options;

    /// <summary>Binds Guided Grad-CAM to <paramref name="model"/>.</summary>
    public GuidedGradCam(Module model, GuidedGradCamOptions? options = null)
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        this.options = options ?? new();
        if (this.options.Layer is { } layer) model.Hooks.Resolve(layer); // fails now, naming the hook
    }

    /// <inheritdoc/>
    public string Name => "guided-grad-cam";

    /// <inheritdoc/>
    public Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (input.Rank != 4) throw new ArgumentException($"GuidedGradCam: expected an image batch [B, C, H, W], got {input.Shape}.");
        var guided = GuidedBackprop.RectifiedGradient(model, GuidedBackprop.Composite, input, target, cancellation); // [B, C, H, W]
        progress?.Report(0.5);
        var cam = new GradCam(model, new CamOptions { Layer = options.Layer, Relu = true, Upsample = false }).Explain(input, target, cancellation).Map; // [B, 1, h, w]
        if (cam.Rank != 4) throw new InvalidOperationException($"GuidedGradCam: the Grad-CAM layer gives a map of shape {cam.Shape}; a spatial [B, 1, h, w] map is needed.");
        var upsampled = cam.Resize(input.Shape[2], input.Shape[3], ResizeMode.Nearest, ResizeCoordinates.Asymmetric, ResizeNearestRounding.Floor);
        progress?.Report(1);
        return new Attribution(guided * upsampled, target, Name);
    }
}
