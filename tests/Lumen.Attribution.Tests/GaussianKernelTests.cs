using Lumen.Attribution.Common;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests;

/// <summary>The one Gaussian kernel of the assembly and the blurred baseline built on it.</summary>
public class GaussianKernelTests
{
    [Fact]
    public void WeightsAreTheNormalisedSampledGaussian()
    {
        // σ = 1: r = 3, w₀ = 1 / Σ_{|i|≤3} e^(−i²/2), w₁ = e^(−1/2)·w₀.
        var k = GaussianKernel.Create(1);
        double total = Enumerable.Range(-3, 7).Sum(i => Math.Exp(-0.5 * i * i));
        Assert.Equal(7, k.Length);
        Assert.Equal((float)(1 / total), k[3]);
        Assert.Equal((float)(Math.Exp(-0.5) / total), k[2]);
        Assert.Equal(k[2], k[4]);
        Assert.Equal(1.0, k.Sum(v => (double)v), 6);
        Assert.Equal(5, GaussianKernel.Create(0.5).Length); // r = ⌈1.5⌉ = 2
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianKernel.Create(0));
    }

    [Fact]
    public void BlurredBaselineOfAnImpulseIsTheOuterProductOfTheKernel()
    {
        var image = new float[9 * 9];
        image[4 * 9 + 4] = 1;
        var blurred = Baseline.Blurred(1).For(Tensor.FromArray(image, 1, 1, 9, 9)).ToArray();
        var k = GaussianKernel.Create(1);
        Assert.Equal(k[3] * k[3], blurred[4 * 9 + 4], 7);
        Assert.Equal(k[2] * k[4], blurred[3 * 9 + 5], 7);
        Assert.Equal(0f, blurred[0]); // beyond the radius of 3
    }
}
