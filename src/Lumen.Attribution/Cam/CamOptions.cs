namespace Lumen.Attribution.Cam;

/// <summary>Options shared by the class-activation-map methods (<see cref="CamMethod"/>).</summary>
public sealed record CamOptions
{
    /// <summary>The hook point whose activation A [B, K, h, w] is weighed; null picks the last hook point that
    /// produces a 4-D output with more than one spatial position (<see cref="CamMethod.DefaultLayer"/>).</summary>
    public string? Layer { get; init; }

    /// <summary>Keep only the positive part of the map, as in the papers (Captum's LayerGradCam defaults to false).</summary>
    public bool Relu { get; init; } = true;

    /// <summary>Upsample a 4-D map bilinearly (half-pixel centres, PyTorch's <c>align_corners=False</c>) to the
    /// input's height and width; false keeps the layer's resolution. Maps of other ranks keep the layer's shape.</summary>
    public bool Upsample { get; init; } = true;
}
