using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Baselines;

/// <summary>
/// A model-independent control: the Sobel gradient magnitude of the input itself, per channel (images [B, C, H, W]);
/// for other inputs [B, …, T] the central-difference magnitude along the last axis. It ignores the model and the
/// target, so the sanity checks (model parameter and data randomisation, random logit) must leave it unchanged;
/// Adebayo et al. show that several saliency methods look much like it.
/// </summary>
/// <remarks>Gₓ = [−1 0 1; −2 0 2; −1 0 1] ⋆ x, G_y = Gₓᵀ ⋆ x, Φ = √(Gₓ² + G_y²), zero padding at the border. Adebayo et
/// al., "Sanity checks for saliency maps" (NeurIPS 2018), https://arxiv.org/abs/1810.03292</remarks>
/// <example><code>var edges = new EdgeDetector(model).Explain(x, Target.Class(0)).Map;</code></example>
public sealed class EdgeDetector(Module model) : IAttributionMethod
{
    /// <summary>The model the catalog binds the method to (unused by design).</summary>
    public Module Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    /// <inheritdoc/>
    public string Name => "edge-detector";

    /// <inheritdoc/>
    public Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (input.Rank < 2) throw new ArgumentException($"EdgeDetector: the input needs a batch dimension, got {input.Shape}.", nameof(input));
        var x = (input.DType == DType.Float32 ? input : input.ToFloat32()).AsReadOnlySpan().ToArray();
        var map = input.Rank == 4 ? Sobel(x, input.Shape[2], input.Shape[3]) : CentralDifference(x, input.Shape[input.Rank - 1]);
        progress?.Report(1);
        return new Attribution(Tensor.FromArray(map, input.Shape.ToArray()), target, Name);
    }

    private static float[] Sobel(float[] x, int h, int w)
    {
        var map = new float[x.Length];
        int plane = h * w;
        for (int p = 0; p < x.Length / plane; p++)
        {
            int o = p * plane;
            float At(int y, int i) => y < 0 || y >= h || i < 0 || i >= w ? 0 : x[o + y * w + i];
            for (int y = 0; y < h; y++)
                for (int i = 0; i < w; i++)
                {
                    float gx = At(y - 1, i + 1) + 2 * At(y, i + 1) + At(y + 1, i + 1) - At(y - 1, i - 1) - 2 * At(y, i - 1) - At(y + 1, i - 1);
                    float gy = At(y + 1, i - 1) + 2 * At(y + 1, i) + At(y + 1, i + 1) - At(y - 1, i - 1) - 2 * At(y - 1, i) - At(y - 1, i + 1);
                    map[o + y * w + i] = MathF.Sqrt(gx * gx + gy * gy);
                }
        }
        return map;
    }

    private static float[] CentralDifference(float[] x, int length)
    {
        var map = new float[x.Length];
        for (int r = 0; r < x.Length / length; r++)
            for (int t = 0; t < length; t++)
            {
                float before = t > 0 ? x[r * length + t - 1] : 0, after = t < length - 1 ? x[r * length + t + 1] : 0;
                map[r * length + t] = MathF.Abs(after - before) / 2;
            }
        return map;
    }
}
