namespace Lumen.Imaging;

/// <summary>Reconstruction filters for <see cref="Resampler"/>, with Pillow's definitions and supports.</summary>
public enum ResampleFilter
{
    /// <summary>Nearest neighbour (no antialiasing): source pixel ⌊(x + ½) · in/out⌋, for label masks.</summary>
    Nearest,

    /// <summary>Box filter, support ½ (area averaging when downscaling).</summary>
    Box,

    /// <summary>Triangle (tent) filter 1 − |x|, support 1; Pillow's BILINEAR.</summary>
    Bilinear,

    /// <summary>Keys cubic convolution with a = −½, support 2; Pillow's BICUBIC.</summary>
    Bicubic,

    /// <summary>Lanczos windowed sinc, sinc(x)·sinc(x/3), support 3; Pillow's LANCZOS.</summary>
    Lanczos,
}
