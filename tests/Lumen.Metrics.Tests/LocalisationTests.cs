using Lumen.Attribution;
using Lumen.Metrics.Localisation;
using Lumen.Tensors;

namespace Lumen.Metrics.Tests;

public class LocalisationTests
{
    private const int Size = 20;

    /// <summary>Quantus' fixture: a 3-channel image whose attribution is 1 on [5:15, 5:15] and U(0, 0.1) elsewhere.</summary>
    private static MetricInput Fixture(Func<int, int, bool> inMask)
    {
        var rng = new Random(7);
        var a = new float[3 * Size * Size];
        var mask = new float[Size * Size];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < Size; y++)
                for (int x = 0; x < Size; x++)
                    a[c * Size * Size + y * Size + x] = y is >= 5 and < 15 && x is >= 5 and < 15 ? 1f : 0.1f * (float)rng.NextDouble();
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++) mask[y * Size + x] = inMask(y, x) ? 1 : 0;
        return new MetricInput(new LinearModel(new float[3 * Size * Size]), Tensor.Ones(1, 3, Size, Size), Tensor.FromArray(a, 1, 3, Size, Size), Target.Class(0))
        { Mask = Tensor.FromArray(mask, 1, Size, Size) };
    }

    private static readonly Func<int, int, bool> AllIn = (y, x) => y is >= 5 and < 15 && x is >= 5 and < 15;
    private static readonly Func<int, int, bool> NoneIn = (y, x) => y >= 16 && x >= 16;
    private static readonly Func<int, int, bool> HalfIn = (y, x) => y is >= 5 and < 15 && x is >= 10 and < 20;

    [Fact]
    public void Pointing_game_hits_inside_and_half_inside_and_misses_outside()
    {
        Assert.Equal(1, new PointingGame().Evaluate(Fixture(AllIn)).Value);
        Assert.Equal(0, new PointingGame().Evaluate(Fixture(NoneIn)).Value);
        Assert.Equal(1, new PointingGame().Evaluate(Fixture(HalfIn)).Value);
    }

    [Fact]
    public void Rank_based_scores_are_exact_on_the_fixture()
    {
        Assert.Equal(1, new RelevanceRankAccuracy().Evaluate(Fixture(AllIn)).Value);
        Assert.Equal(1, new TopKIntersection(100).Evaluate(Fixture(AllIn)).Value);
        Assert.Equal(0.5, new TopKIntersection(100).Evaluate(Fixture(HalfIn)).Value);
        Assert.Equal(0, new TopKIntersection(100).Evaluate(Fixture(NoneIn)).Value);
        Assert.Equal(1, new Auc().Evaluate(Fixture(AllIn)).Value, 12);
    }

    private static MetricInput Small(float[] a, float[] mask) =>
        new(new LinearModel(new float[4]), Tensor.Ones(1, 1, 2, 2), Tensor.FromArray(a, 1, 1, 2, 2), Target.Class(0)) { Mask = Tensor.FromArray(mask, 1, 1, 2, 2) };

    [Fact]
    public void Mass_localisation_and_auc_follow_their_closed_forms()
    {
        var input = Small([3, -1, 2, 4], [1, 1, 0, 0]);
        Assert.Equal(4.0 / 10, new RelevanceMassAccuracy().Evaluate(input).Value, 12);        // (3 + 1) / (3 + 1 + 2 + 4)
        Assert.Equal(3.0 / 9, new AttributionLocalisation().Evaluate(input).Value, 12);       // positive only: 3 / (3 + 2 + 4)
        Assert.Equal(3.0 / 9 * 2, new AttributionLocalisation(weighted: true).Evaluate(input).Value, 12);
        Assert.Equal(0.5, new RelevanceRankAccuracy().Evaluate(input).Value, 12);             // top 2 = {4, 3}: one inside
        Assert.Equal(0.25, new Auc().Evaluate(input).Value, 12);                              // pairs (3>2 only) of 4
        Assert.Equal(0, new PointingGame().Evaluate(input).Value);
    }

    [Fact]
    public void Auc_counts_ties_as_half()
    {
        Assert.Equal(0.5, new Auc().Evaluate(Small([1, 1, 1, 1], [1, 0, 0, 0])).Value, 12);
    }

    [Fact]
    public void Focus_is_the_positive_share_on_the_target_quadrants_of_a_mosaic()
    {
        var images = Enumerable.Range(0, 4).Select(i => Tensor.Full(new Shape(1, 1, 2, 2), i)).ToArray();
        var (mosaic, mask) = Focus.Mosaic(images, [true, false, false, true]);
        Assert.Equal([0f, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3], mosaic.ToArray());
        Assert.Equal([1f, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1], mask.ToArray());
        // relevance = the mosaic values: positive mass 0·4 + 1·4 + 2·4 + 3·4 = 24; on the target quadrants 0 + 12
        var input = new MetricInput(new LinearModel(new float[16]), mosaic, mosaic, Target.Class(0)) { Mask = mask };
        Assert.Equal(12.0 / 24, new Focus().Evaluate(input).Value, 12);
    }

    [Fact]
    public void A_missing_or_mismatched_mask_is_refused()
    {
        var input = Small([1, 2, 3, 4], [1, 0, 0, 0]);
        Assert.Contains("mask", Assert.Throws<ArgumentException>(() => new PointingGame().Evaluate(input with { Mask = null })).Message);
        Assert.Throws<ArgumentException>(() => new PointingGame().Evaluate(input with { Mask = Tensor.Ones(1, 3) }));
    }
}

public class MapShapeTests
{
    [Fact]
    public void A_one_channel_map_applies_to_every_channel_of_the_input()
    {
        var model = new LinearModel(new float[12]);
        var map = Tensor.FromArray([3f, -1, 2, 4], 1, 1, 2, 2);
        var input = new MetricInput(model, Tensor.Ones(1, 3, 2, 2), map, Target.Class(0)) { Mask = Tensor.FromArray([1f, 1, 0, 0], 1, 2, 2) };
        Assert.Equal(4.0 / 10, new RelevanceMassAccuracy().Evaluate(input).Value, 12); // relevance = 3 × map: same shares
        Assert.Equal(Math.Log(3) + new Complexity.Complexity().Evaluate(input with { Input = Tensor.Ones(1, 1, 2, 2) }).Value,
            new Complexity.Complexity().Evaluate(input).Value, 12);
        Assert.Throws<ArgumentException>(() => new RelevanceMassAccuracy().Evaluate(input with { Attribution = Tensor.Ones(1, 2, 2, 2) }));
    }
}
