namespace Lumen.Tensors;

/// <summary>
/// Which algorithms Lumen's convolutions may choose. Every algorithm computes the same convolution; they differ in
/// speed and in how the sums are rounded.
/// </summary>
/// <remarks>
/// <see cref="Winograd"/>: 3×3, stride-1, dilation-1 ungrouped convolutions (the bulk of SqueezeNet's and Tiny
/// Darknet's work), and their input gradients, may run as Winograd minimal filtering F(4×4, 3×3) or F(2×2, 3×3) (Lavin &amp; Gray, "Fast
/// Algorithms for Convolutional Neural Networks", CVPR 2016, https://arxiv.org/abs/1509.09308): 2.25–4× fewer
/// multiplies, but the sums are formed through the tile transforms, so results differ from the direct im2col
/// summation by rounding (measured on the shipped models' layers with their real activations: at most 4e-6 of the
/// layer's largest output, against 8e-7 for im2col; docs/ARCHITECTURE.md entry 53). Switch it off for the exact im2col
/// summation, bitwise as before: <c>ConvolutionAlgorithms.Winograd = false</c>, or the environment variable
/// <c>LUMEN_WINOGRAD=0</c> read at start-up.
/// <para><see cref="Blocked"/>: at pure inference of an ONNX graph (no gradients, no hooks), chains of pointwise and
/// 3×3 depthwise convolutions (MobileNetV2's inverted residual blocks) may run in the channel-blocked layout NCHW16c (AVX-512; NCHW8c on AVX2) of
/// ONNX Runtime's NCHWc kernels: their sums add the channels in another order than im2col + GEMM, so values differ by
/// rounding (docs/ARCHITECTURE.md entry 59). Switch it off for the NCHW kernels, bitwise as before:
/// <c>ConvolutionAlgorithms.Blocked = false</c>, or <c>LUMEN_BLOCKED=0</c> read at start-up.</para>
/// </remarks>
/// <example><code>ConvolutionAlgorithms.Winograd = false; // every convolution sums as im2col + GEMM does</code></example>
public static class ConvolutionAlgorithms
{
    /// <summary>Whether 3×3 stride-1 convolutions and their input gradients may use Winograd's algorithm where it is measured faster (default:
    /// true, unless the environment variable <c>LUMEN_WINOGRAD</c> is <c>0</c>). Read at every convolution call.</summary>
    public static bool Winograd { get; set; } = Environment.GetEnvironmentVariable("LUMEN_WINOGRAD") != "0";

    /// <summary>Whether an ONNX graph's chains of pointwise and 3×3 depthwise convolutions may run in the channel-blocked
    /// layout at pure inference, and as one recorded op with a blocked backward pass in recorded passes that lend pass
    /// storage (an attribution method's chunk; ARCHITECTURE 65) (default: true, unless the environment variable
    /// <c>LUMEN_BLOCKED</c> is <c>0</c>). Read at every forward.</summary>
    public static bool Blocked { get; set; } = Environment.GetEnvironmentVariable("LUMEN_BLOCKED") != "0";
}
