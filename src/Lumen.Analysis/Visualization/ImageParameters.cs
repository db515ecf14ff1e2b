using Lumen.Analysis.Common;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Analysis.Visualization;

/// <summary>The optimised parameters of a batch of images and the differentiable map from them to RGB in [0, 1].</summary>
/// <remarks>
/// Pixel: rgb = σ(C·z) with z the free [B, 3, H, W] values. Fourier: z = Re(IDFT₂(s ⊙ (A + iB)))·/√(HW) with
/// s_uv = 1/max(f_uv, 1/max(H, W)), f_uv = √(f_u² + f_v²) in cycles per pixel (f_u = min(u, H−u)/H), computed with
/// separable cosine/sine bases: Re = (C_H A − S_H B) C_Wᵀ − (S_H A + C_H B) S_Wᵀ. C is the colour decorrelation
/// matrix: the symmetric square root of the RGB covariance of natural photos (measured on the 14 bundled and shared
/// sample photos), divided by its largest column norm.
/// </remarks>
internal sealed class ImageParameters
{
    /// <summary>RGB covariance (0..1 values) of the project's sample photos.</summary>
    private static readonly double[] PhotoCovariance = [0.07693, 0.05334, 0.03862, 0.05334, 0.05649, 0.04430, 0.03862, 0.04430, 0.05762];

    private static readonly Tensor ColourMatrix = DecorrelationMatrix();

    private readonly ImageParameterization kind;
    private readonly Tensor? cosH, sinH, cosWt, sinWt, scale;

    public ImageParameters(ImageParameterization kind, int batch, int height, int width, Random rng)
    {
        this.kind = kind;
        if (kind == ImageParameterization.Pixel)
        {
            Parameters = [new Parameter(Tensor.Randn(new Shape(batch, 3, height, width), rng) * 0.01f, "pixels")];
            return;
        }
        (cosH, sinH) = Basis(height);
        var (cw, sw) = Basis(width);
        (cosWt, sinWt) = (cw.Transpose(0, 1), sw.Transpose(0, 1));
        var s = new float[height * width];
        for (int u = 0; u < height; u++)
            for (int v = 0; v < width; v++)
            {
                double fu = Math.Min(u, height - u) / (double)height, fv = Math.Min(v, width - v) / (double)width;
                s[u * width + v] = (float)(1 / Math.Max(Math.Sqrt(fu * fu + fv * fv), 1.0 / Math.Max(height, width)) / Math.Sqrt(height * width));
            }
        scale = Tensor.FromArray(s, 1, 1, height, width);
        Parameters =
        [
            new Parameter(Tensor.Randn(new Shape(batch, 3, height, width), rng) * 0.01f, "spectrum.real"),
            new Parameter(Tensor.Randn(new Shape(batch, 3, height, width), rng) * 0.01f, "spectrum.imaginary"),
        ];
    }

    /// <summary>The tensors the optimiser updates.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The images, RGB in (0, 1), [B, 3, H, W], differentiable in the parameters.</summary>
    public Tensor Rgb()
    {
        Tensor z;
        if (kind == ImageParameterization.Pixel) z = Parameters[0].Value;
        else
        {
            var a = Parameters[0].Value * scale!;
            var b = Parameters[1].Value * scale!;
            z = (cosH!.MatMul(a) - sinH!.MatMul(b)).MatMul(cosWt!) - (sinH!.MatMul(a) + cosH!.MatMul(b)).MatMul(sinWt!);
        }
        // colour mixing over the channel axis: [3, 3] · [B, 3, H·W]
        int n = z.Shape[0], h = z.Shape[2], w = z.Shape[3];
        return ColourMatrix.MatMul(z.Reshape(n, 3, h * w)).Reshape(n, 3, h, w).Sigmoid();
    }

    /// <summary>cos(2πuk/n) and sin(2πuk/n) as [n, n] matrices.</summary>
    private static (Tensor Cos, Tensor Sin) Basis(int n)
    {
        var c = new float[n * n];
        var s = new float[n * n];
        for (int k = 0; k < n; k++)
            for (int u = 0; u < n; u++)
            {
                double angle = 2 * Math.PI * ((long)u * k % n) / n;
                c[k * n + u] = (float)Math.Cos(angle);
                s[k * n + u] = (float)Math.Sin(angle);
            }
        return (Tensor.FromArray(c, n, n), Tensor.FromArray(s, n, n));
    }

    private static Tensor DecorrelationMatrix()
    {
        var (values, vectors) = new Matrix(3, 3, PhotoCovariance).SymmetricEigen();
        var root = new double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 3; k++) root[i * 3 + j] += vectors[i, k] * Math.Sqrt(Math.Max(values[k], 0)) * vectors[j, k];
        double maxNorm = Enumerable.Range(0, 3).Max(j => Math.Sqrt(root[j] * root[j] + root[3 + j] * root[3 + j] + root[6 + j] * root[6 + j]));
        return Tensor.FromArray([.. root.Select(v => (float)(v / maxNorm))], 3, 3);
    }
}
