using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Perturbation;

/// <summary>
/// RISE: the target score averaged over many random smooth masks, each pixel weighted by how much of it the mask
/// kept: a saliency map [B, 1, H, W] from forward passes alone.
/// </summary>
/// <remarks>
/// S(λ) = 1/(N·p) Σᵢ f(x′ + Mᵢ ⊙ (x − x′)) · Mᵢ(λ). Each mask Mᵢ is an s × s grid of cells kept with probability p,
/// bilinearly upsampled to (s + 1)·⌈H/s⌉ × (s + 1)·⌈W/s⌉ and cropped to H × W at a uniformly random shift of less
/// than one cell; masks are shared by the channels. Petsiuk, Das, Saenko, "RISE: Randomized Input Sampling for
/// Explanation of Black-box Models" (BMVC 2018), https://arxiv.org/abs/1806.07421
/// </remarks>
/// <example><code>var rise = new Rise(model, new() { Masks = 2000, Seed = 1 }).Explain(image, Target.Class(207));</code></example>
public sealed class Rise : PerturbationMethod
{
    private readonly RiseOptions options;

    /// <summary>Binds RISE to <paramref name="model"/>.</summary>
    public Rise(Module model, RiseOptions? options = null) : base(model)
    {
        this.options = options ?? new();
        if (this.options.Masks < 1 || this.options.Cells < 1 || this.options.Probability is <= 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"Rise: needs Masks ≥ 1, Cells ≥ 1 and 0 < Probability ≤ 1, got {this.options.Masks}, {this.options.Cells}, {this.options.Probability}.");
    }

    /// <inheritdoc/>
    public override string Name => "rise";

    /// <inheritdoc/>
    public override Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
    {
        int samples = Samples(input);
        ArgumentNullException.ThrowIfNull(target);
        if (input.Rank < 3) throw new ArgumentException($"Rise: needs inputs with two spatial dimensions [B, …, H, W], got {input.Shape}.", nameof(input));
        int height = input.Shape[-2], width = input.Shape[-1], plane = height * width;
        var rowShape = new Shape(input.Shape.Dims[1..].ToArray());
        int rowSize = rowShape.Size, count = options.Masks;
        var masks = Masks(height, width);
        var x = input.AsReadOnlySpan().ToArray();
        var x0 = options.Baseline.For(input).AsReadOnlySpan().ToArray();
        var scores = ScoreRows(rowShape, samples * count, (r, row) =>
        {
            int b = r / count, offset = b * rowSize;
            var m = masks[r % count];
            for (int i = 0; i < rowSize; i++) row[i] = x0[offset + i] + m[i % plane] * (x[offset + i] - x0[offset + i]);
        }, r => r / count, target, ChunkSize(input, options.BatchSize, options.MemoryBudgetBytes), cancellation, progress);
        var map = new double[samples * plane];
        for (int b = 0; b < samples; b++)
            for (int i = 0; i < count; i++)
            {
                double s = scores[b * count + i];
                var m = masks[i];
                for (int p = 0; p < plane; p++) map[b * plane + p] += s * m[p];
            }
        double scale = 1.0 / (count * options.Probability);
        return new Attribution(Tensor.FromArray([.. map.Select(v => (float)(v * scale))], samples, 1, height, width), target, Name);
    }

    /// <summary>The seeded random masks, each [H·W].</summary>
    private float[][] Masks(int height, int width)
    {
        var rng = new Random(options.Seed);
        int s = options.Cells, cellH = (height + s - 1) / s, cellW = (width + s - 1) / s;
        var masks = new float[options.Masks][];
        var grid = new float[s * s];
        for (int n = 0; n < masks.Length; n++)
        {
            for (int g = 0; g < grid.Length; g++) grid[g] = rng.NextDouble() < options.Probability ? 1f : 0f;
            int shiftY = rng.Next(cellH), shiftX = rng.Next(cellW);
            var mask = masks[n] = new float[height * width];
            for (int y = 0; y < height; y++)
            {
                var (y0, y1, fy) = Tap(y + shiftY, (s + 1) * cellH, s);
                for (int x = 0; x < width; x++)
                {
                    var (x0, x1, fx) = Tap(x + shiftX, (s + 1) * cellW, s);
                    float top = grid[y0 * s + x0] + fx * (grid[y0 * s + x1] - grid[y0 * s + x0]);
                    float bottom = grid[y1 * s + x0] + fx * (grid[y1 * s + x1] - grid[y1 * s + x0]);
                    mask[y * width + x] = top + fy * (bottom - top);
                }
            }
        }
        return masks;
    }

    /// <summary>Bilinear taps of output position <paramref name="u"/> of <paramref name="size"/> upsampled from
    /// <paramref name="cells"/> grid points (half-pixel centres, edges clamped).</summary>
    private static (int Low, int High, float Fraction) Tap(int u, int size, int cells)
    {
        double source = Math.Clamp((u + 0.5) * cells / size - 0.5, 0, cells - 1);
        int low = (int)Math.Floor(source), high = Math.Min(low + 1, cells - 1);
        return (low, high, (float)(source - low));
    }
}
