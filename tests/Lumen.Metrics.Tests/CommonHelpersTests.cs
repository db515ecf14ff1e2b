using Lumen.Metrics.Common;
using Lumen.Tensors;

namespace Lumen.Metrics.Tests;

/// <summary>The shared helpers of the metrics: Gaussian draws, the mean of finite scores, and stacked variants.</summary>
public class CommonHelpersTests
{
    [Fact]
    public void Gaussian_draws_have_mean_0_and_standard_deviation_sigma()
    {
        var rng = new Random(3);
        var draws = Enumerable.Range(0, 40000).Select(_ => Statistics.Gaussian(rng, 2)).ToArray();
        double mean = draws.Average(), std = Math.Sqrt(draws.Average(v => (v - mean) * (v - mean)));
        Assert.InRange(mean, -0.03, 0.03);     // 3 standard errors: 3·2/√40000
        Assert.InRange(std, 1.97, 2.03);
        // AddGaussian adds exactly the draws of the same stream
        var row = new float[] { 1, 2, 3 };
        Statistics.AddGaussian(row, 0.5, new Random(7));
        var again = new Random(7);
        Assert.Equal(new[] { (float)(1 + Statistics.Gaussian(again, 0.5)), (float)(2 + Statistics.Gaussian(again, 0.5)), (float)(3 + Statistics.Gaussian(again, 0.5)) }, row);
    }

    [Fact]
    public void Finite_mean_skips_NaN_and_infinities()
    {
        Assert.Equal(2, Statistics.FiniteMean([1, double.NaN, 3, double.PositiveInfinity]));
        Assert.True(double.IsNaN(Statistics.FiniteMean([double.NaN, double.NegativeInfinity])));
        Assert.True(double.IsNaN(Statistics.FiniteMean([])));
    }

    [Fact]
    public void Variant_stacks_are_variant_major_and_split_back_per_copy()
    {
        // 5 copies of 3 samples (rows of 2), 2 copies per stack: stacks of 2, 2 and 1 copies.
        var stackSizes = new List<int>();
        var maps = VariantStacks.Map(5, 2, 3, [2], (v, b, row) => row.Fill(10 * v + b), (stacked, copies) =>
        {
            stackSizes.Add(copies);
            Assert.Equal(new Shape(copies * 3, 2), stacked.Shape);
            return stacked * 2f;
        }, CancellationToken.None);
        Assert.Equal([2, 2, 1], stackSizes);
        for (int v = 0; v < 5; v++)
            Assert.Equal(Enumerable.Range(0, 3).SelectMany(b => new[] { 2f * (10 * v + b), 2f * (10 * v + b) }), maps[v]);
        Assert.Throws<ArgumentOutOfRangeException>(() => VariantStacks.ForEach(1, 0, 1, [1], (_, _, _) => { }, (_, _, _) => { }, CancellationToken.None));
    }
}
