using Lumen.Attribution.Common;
using Lumen.Attribution.Perturbation;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests.Perturbation;

/// <summary>Meaningful and Extremal Perturbation on a model whose score reads one region of the image only: the
/// optimised masks must find the region, meet their area and be a function of the seed.</summary>
public class OptimisedMaskTests
{
    private const int Size = 32;
    private static readonly Tensor Image = Tensor.Rand(new Shape(1, 1, Size, Size), seed: 3, low: 0.5f, high: 1.5f);

    /// <summary>With a coarse mask (stride 2) the bilinear upsampling cannot stop at the region's edge: a cell that
    /// reaches into the region leaks a quarter of its value into the next pixel outside.</summary>
    [Theory]
    [InlineData(1, 0.9)]
    [InlineData(2, 0.75)]
    public void Extremal_mask_covers_the_region_with_the_requested_area(int stride, double share)
    {
        var model = new RegionModel();
        var options = new ExtremalPerturbationOptions { Areas = [RegionModel.Area], MaskStride = stride, MaskSmoothing = 0, Steps = 150, Baseline = Baseline.Zero };
        var mask = new ExtremalPerturbation(model, options).Masks(Image, Target.Class(0)).ToArray();
        double inside = RegionModel.MassInside(mask), area = mask.Average();
        Assert.True(inside >= share, $"stride {stride}: {inside:P1} of the mask inside the region");
        Assert.InRange(area, RegionModel.Area - 0.01, RegionModel.Area + 0.01);
    }

    /// <summary>A smoothed mask (σ = 1 cell) is a blob whose soft edges keep sort(m) from being the exact step rₐ, so
    /// its area is looser; it still sits on the region.</summary>
    [Fact]
    public void Smoothed_extremal_mask_meets_its_area_around_the_region()
    {
        var options = new ExtremalPerturbationOptions { Areas = [RegionModel.Area], MaskStride = 2, MaskSmoothing = 1, Steps = 150, Baseline = Baseline.Zero };
        var mask = new ExtremalPerturbation(new RegionModel(), options).Masks(Image, Target.Class(0)).ToArray();
        Assert.InRange(mask.Average(), RegionModel.Area - 0.02, RegionModel.Area + 0.02);
        double inside = RegionModel.MassInside(mask), total = mask.Sum(v => (double)v);
        double y = Enumerable.Range(0, mask.Length).Sum(i => i / Size * (double)mask[i]) / total;
        double x = Enumerable.Range(0, mask.Length).Sum(i => i % Size * (double)mask[i]) / total;
        Assert.True(inside >= 0.5, $"{inside:P1} of the smoothed mask inside the region");
        Assert.True(Math.Abs(y - 11.5) < 1 && Math.Abs(x - 19.5) < 1, $"centre of mass ({y:F2}, {x:F2}), the region's is (11.5, 19.5)");
    }

    [Fact]
    public void Extremal_masks_of_several_areas_meet_each_area()
    {
        var options = new ExtremalPerturbationOptions { Areas = [0.03, RegionModel.Area, 0.2], MaskStride = 2, MaskSmoothing = 0, Steps = 150, Baseline = Baseline.Zero };
        var method = new ExtremalPerturbation(new RegionModel(), options);
        var masks = method.Masks(Image, Target.Class(0));
        Assert.Equal(new Shape(1, 3, Size, Size), masks.Shape);
        var values = masks.ToArray();
        for (int a = 0; a < 3; a++)
        {
            var mask = values[(a * Size * Size)..((a + 1) * Size * Size)];
            Assert.InRange(mask.Average(), options.Areas[a] - 0.015, options.Areas[a] + 0.015);
        }
        // the smallest mask lies inside the region; the map is the mean of the three
        Assert.True(RegionModel.MassInside(values[..(Size * Size)]) >= 0.9);
        var map = method.Explain(Image, Target.Class(0)).Map;
        Assert.Equal(new Shape(1, 1, Size, Size), map.Shape);
        GradAssert.Close([.. Enumerable.Range(0, Size * Size).Select(i => (values[i] + values[i + Size * Size] + values[i + 2 * Size * Size]) / 3)], map.ToArray(), 1e-6f);
    }

    [Theory]
    [InlineData(PerturbationGame.Deletion)]
    [InlineData(PerturbationGame.Preservation)]
    public void Meaningful_mask_concentrates_on_the_region(PerturbationGame game)
    {
        var options = new MeaningfulPerturbationOptions { Game = game, MaskStride = 1, MaskSmoothing = 0, Steps = 150, Baseline = Baseline.Zero };
        var map = new MeaningfulPerturbation(new RegionModel(), options).Explain(Image, Target.Class(0)).Map.ToArray();
        double inside = RegionModel.MassInside(map);
        Assert.True(inside >= 0.9, $"{game}: {inside:P1} of the map inside the region");
        Assert.True(map.Average() < 2 * RegionModel.Area, $"{game}: mean {map.Average():F3}");
    }

    [Fact]
    public void Both_are_deterministic_per_seed_and_per_sample()
    {
        var model = new RegionModel();
        var batch = Tensor.Concat([Image, Image * 0.5f]);
        var extremal = new ExtremalPerturbationOptions { Steps = 20, MaskStride = 4, Seed = 4 };
        var first = new ExtremalPerturbation(model, extremal).Explain(batch, Target.Class(0)).Map.ToArray();
        Assert.Equal(first, new ExtremalPerturbation(model, extremal).Explain(batch, Target.Class(0)).Map.ToArray());
        Assert.NotEqual(first, new ExtremalPerturbation(model, extremal with { Seed = 5 }).Explain(batch, Target.Class(0)).Map.ToArray());
        Assert.Equal(first[(Size * Size)..], new ExtremalPerturbation(model, extremal).Explain(batch.Slice(0, 1, 2), Target.Class(0)).Map.ToArray());
        var meaningful = new MeaningfulPerturbationOptions { Steps = 20, MaskStride = 4, Seed = 4 };
        Assert.Equal(new MeaningfulPerturbation(model, meaningful).Explain(batch, Target.Class(0)).Map.ToArray(),
            new MeaningfulPerturbation(model, meaningful).Explain(batch, Target.Class(0)).Map.ToArray());
    }

    [Fact]
    public void Total_variation_is_the_mean_of_powered_differences()
    {
        // p = [[0, 1], [1, 1]]: vertical differences 1, 0; horizontal 1, 0 → (1 + 1)/4 for any β.
        var p = Tensor.FromArray([0f, 1f, 1f, 1f], 1, 1, 2, 2);
        Assert.Equal(0.5f, MeaningfulPerturbation.TotalVariation(p, 3f).Item(), 6);
        var q = Tensor.FromArray([0f, 0.5f, 0f, 0f], 1, 1, 2, 2); // |±½|³ twice over 4 cells
        Assert.Equal(0.0625f, MeaningfulPerturbation.TotalVariation(q, 3f).Item(), 6);
    }

    [Fact]
    public void Invalid_options_and_cancellation_are_reported()
    {
        var model = new RegionModel();
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExtremalPerturbation(model, new() { Areas = [1.5] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MeaningfulPerturbation(model, new() { Steps = 0 }));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new MeaningfulPerturbation(model).Explain(Image, Target.Class(0), cancelled.Token));
        var reports = new List<double>();
        new ExtremalPerturbation(model, new() { Steps = 5 }).Explain(Tensor.Concat([Image, Image]), Target.Class(0), progress: new Progress(reports));
        Assert.Equal(10, reports.Count);
        Assert.Equal(1.0, reports[^1], 9);
    }

    private sealed class Progress(List<double> reports) : IProgress<double>
    {
        public void Report(double value) => reports.Add(value);
    }

    /// <summary>f(x) = Σ of x over the 8 × 8 region at rows 8…15, columns 16…23 of a 32 × 32 image (a linear layer whose
    /// weights are 1 there and 0 elsewhere).</summary>
    private sealed class RegionModel : Module
    {
        public const double Area = 64.0 / (Size * Size);
        private readonly Linear fc;

        public RegionModel()
        {
            fc = Register("fc", new Linear(Size * Size, 1));
            fc.Weight.CopyFrom(Tensor.FromArray([.. Enumerable.Range(0, Size * Size).Select(i => Inside(i) ? 1f : 0f)], 1, Size * Size));
            fc.Bias!.CopyFrom(Tensor.Zeros(1));
        }

        public static bool Inside(int pixel) => pixel / Size is >= 8 and < 16 && pixel % Size is >= 16 and < 24;

        /// <summary>The share of a [Size·Size] map's mass inside the region.</summary>
        public static double MassInside(float[] map)
        {
            double inside = 0, total = 0;
            for (int i = 0; i < map.Length; i++) { total += map[i]; if (Inside(i)) inside += map[i]; }
            return inside / total;
        }

        protected override Tensor Forward(Tensor x) => fc.Call(x.Reshape(x.Shape[0], Size * Size)); // [B, 1]
    }
}
