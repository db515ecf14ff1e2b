namespace Lumen.Imaging;

/// <summary>How a [C, H, W] attribution becomes one value per pixel.</summary>
public enum ChannelReduction
{
    /// <summary>Σ_c a_c (keeps the sign; completeness-preserving).</summary>
    Sum,

    /// <summary>Σ_c |a_c| (unsigned magnitude).</summary>
    AbsSum,

    /// <summary>max_c |a_c| (unsigned; the usual saliency-map reduction).</summary>
    MaxAbs,
}
