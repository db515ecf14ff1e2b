using Lumen.Attribution.Perturbation;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests.Perturbation;

public class SlicTests
{
    private static readonly float[][] Colours = [[0.9f, 0.1f, 0.1f], [0.1f, 0.8f, 0.2f], [0.1f, 0.2f, 0.9f], [0.95f, 0.9f, 0.1f], [0.5f, 0.1f, 0.6f]];

    [Fact]
    public void Four_flat_quadrants_are_recovered_exactly()
    {
        var (image, regions) = Quadrants(40);
        var (labels, count) = Slic.Segment(image, segments: 4);
        Assert.Equal(4, count);
        Assert.Equal(regions, labels); // numbered in raster order of their first pixel, as the quadrants are
    }

    [Fact]
    public void Superpixels_of_flat_regions_are_pure_connected_and_follow_the_boundaries()
    {
        var (image, regions) = Shapes(60);
        var (labels, count) = Slic.Segment(image, segments: 36, compactness: 10);
        Assert.InRange(count, 18, 72);
        Assert.True(Purity(labels, regions) >= 0.98, $"purity {Purity(labels, regions):P2}");
        Assert.True(BoundaryRecall(labels, regions, 60) >= 0.95, $"boundary recall {BoundaryRecall(labels, regions, 60):P2}");
        AssertConnected(labels, count, 60, 60);
    }

    [Fact]
    public void Labels_are_connected_on_noise_and_deterministic()
    {
        var noise = Tensor.Rand(new Shape(3, 37, 29), seed: 8);
        var (labels, count) = Slic.Segment(noise, segments: 20, compactness: 5);
        AssertConnected(labels, count, 37, 29);
        Assert.Equal(labels, Slic.Segment(noise, segments: 20, compactness: 5).Labels);
        var (grey, greyCount) = Slic.Segment(noise.Slice(0, 0, 1).Reshape(37, 29), segments: 20);
        AssertConnected(grey, greyCount, 37, 29);
    }

    [Fact]
    public void A_per_channel_normalisation_does_not_change_the_superpixels()
    {
        var (image, _) = Shapes(60);
        var normalised = (image - Tensor.FromArray([0.485f, 0.456f, 0.406f], 3, 1, 1)) / Tensor.FromArray([0.229f, 0.224f, 0.225f], 3, 1, 1);
        Assert.Equal(Slic.Segment(image, 36).Labels, Slic.Segment(normalised.Unsqueeze(0), 36).Labels);
    }

    [Fact]
    public void Feature_ablation_on_slic_superpixels_gives_each_quadrant_its_drop()
    {
        var (image, regions) = Quadrants(16);
        var input = image.Unsqueeze(0); // [1, 3, 16, 16]
        var model = new WeightedSum(Tensor.Rand(new Shape(3 * 16 * 16), seed: 2));
        var map = new FeatureAblation(model, new() { Mask = FeatureMask.Slic(4) }).Explain(input, Target.Class(0)).Map.ToArray();
        var x = input.ToArray();
        var w = model.Weights.ToArray();
        var drop = new double[4];
        for (int i = 0; i < x.Length; i++) drop[regions[i % 256]] += w[i] * x[i];
        for (int i = 0; i < x.Length; i++) Assert.Equal(drop[regions[i % 256]], map[i], 3);
    }

    [Fact]
    public void Each_sample_of_a_batch_gets_its_own_superpixels()
    {
        var (first, _) = Quadrants(16);
        var (second, _) = Shapes(16);
        var batch = Tensor.Stack([first, second]);
        var model = new WeightedSum(Tensor.Rand(new Shape(3 * 16 * 16), seed: 2));
        var options = new LimeOptions { Mask = FeatureMask.Slic(6), Samples = 30, Seed = 1 };
        var both = new Lime(model, options).Explain(batch, Target.Class(0)).Map.ToArray();
        var alone = new Lime(model, options).Explain(second.Unsqueeze(0), Target.Class(0)).Map.ToArray();
        Assert.Equal(alone, both[(3 * 256)..]);
        var error = Assert.Throws<ArgumentException>(() => new FeaturePermutation(model, new() { Mask = FeatureMask.Slic(6) }).Explain(batch, Target.Class(0)));
        Assert.Contains("slic", error.Message);
        Assert.Throws<InvalidOperationException>(() => FeatureMask.Slic(6).For(new Shape(3, 16, 16)));
    }

    /// <summary>Four flat quadrants of a size × size image [3, size, size] and the quadrant of every pixel.</summary>
    private static (Tensor Image, int[] Regions) Quadrants(int size) =>
        Paint(size, (y, x) => (y < size / 2 ? 0 : 2) + (x < size / 2 ? 0 : 1));

    /// <summary>A background, a disc, a rectangle and a triangle, each of its own flat colour.</summary>
    private static (Tensor Image, int[] Regions) Shapes(int size) => Paint(size, (y, x) =>
    {
        double s = size;
        if ((y - 0.3 * s) * (y - 0.3 * s) + (x - 0.3 * s) * (x - 0.3 * s) < 0.04 * s * s) return 1;
        if (y > 0.55 * s && y < 0.85 * s && x > 0.1 * s && x < 0.5 * s) return 2;
        if (y > 0.5 * s && x > 0.6 * s && x - 0.6 * s < y - 0.5 * s) return 3;
        return x > 0.65 * s && y < 0.35 * s ? 4 : 0;
    });

    private static (Tensor Image, int[] Regions) Paint(int size, Func<int, int, int> region)
    {
        var regions = new int[size * size];
        var data = new float[3 * size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                int r = regions[y * size + x] = region(y, x);
                for (int c = 0; c < 3; c++) data[c * size * size + y * size + x] = Colours[r][c];
            }
        return (Tensor.FromArray(data, 3, size, size), regions);
    }

    /// <summary>The share of pixels whose superpixel's majority region is their own.</summary>
    private static double Purity(int[] labels, int[] regions)
    {
        int correct = 0;
        foreach (var group in Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]))
            correct += group.GroupBy(i => regions[i]).Max(g => g.Count());
        return (double)correct / labels.Length;
    }

    /// <summary>The share of region-boundary pixels with a superpixel boundary within one pixel.</summary>
    private static double BoundaryRecall(int[] labels, int[] regions, int size)
    {
        bool Edge(int[] map, int y, int x) =>
            (x + 1 < size && map[y * size + x] != map[y * size + x + 1]) || (y + 1 < size && map[y * size + x] != map[(y + 1) * size + x]);
        int total = 0, found = 0;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                if (!Edge(regions, y, x)) continue;
                total++;
                bool near = false;
                for (int dy = -1; dy <= 1 && !near; dy++)
                    for (int dx = -1; dx <= 1 && !near; dx++)
                        near = y + dy >= 0 && y + dy < size && x + dx >= 0 && x + dx < size && Edge(labels, y + dy, x + dx);
                if (near) found++;
            }
        return (double)found / total;
    }

    /// <summary>Every label 0…count−1 is used and forms one 4-connected component.</summary>
    private static void AssertConnected(int[] labels, int count, int height, int width)
    {
        Assert.Equal(Enumerable.Range(0, count), labels.Distinct().Order());
        var seen = new bool[labels.Length];
        var components = new int[count];
        for (int start = 0; start < labels.Length; start++)
        {
            if (seen[start]) continue;
            components[labels[start]]++;
            var stack = new Stack<int>([start]);
            seen[start] = true;
            while (stack.Count > 0)
            {
                int p = stack.Pop(), y = p / width, x = p % width;
                foreach (var q in new[] { x > 0 ? p - 1 : -1, x + 1 < width ? p + 1 : -1, y > 0 ? p - width : -1, y + 1 < height ? p + width : -1 })
                    if (q >= 0 && !seen[q] && labels[q] == labels[p]) { seen[q] = true; stack.Push(q); }
            }
        }
        Assert.All(components, c => Assert.Equal(1, c));
    }

    /// <summary>f(x) = Σ w ⊙ x over a [B, 3, H, W] input: ablating a feature drops the score by its Σ w ⊙ x.</summary>
    private sealed class WeightedSum(Tensor weights) : Module
    {
        public Tensor Weights { get; } = weights;

        protected override Tensor Forward(Tensor x) => x.Reshape(x.Shape[0], -1).MatMul(Weights.Reshape(-1, 1)); // [B, 1]
    }
}
