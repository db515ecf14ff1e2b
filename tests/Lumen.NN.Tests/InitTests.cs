using Lumen.Tensors;

namespace Lumen.NN.Tests;

public class InitTests
{
    [Fact]
    public void FansCountTheReceptiveField()
    {
        Assert.Equal((3 * 25, 16 * 25), Init.Fans(new Shape(16, 3, 5, 5)));
        Assert.Equal((4, 8), Init.Fans(new Shape(8, 4)));
        Assert.Throws<ArgumentException>(() => Init.Fans(new Shape(8)));
    }

    [Fact]
    public void UniformInitialisersRespectTheirBounds()
    {
        var shape = new Shape(64, 32, 3, 3);
        float fanIn = 32 * 9, fanOut = 64 * 9;
        AssertBounded(Init.KaimingUniform(shape, rng: new Random(1)), MathF.Sqrt(6f / fanIn));
        AssertBounded(Init.XavierUniform(shape, rng: new Random(1)), MathF.Sqrt(6f / (fanIn + fanOut)));
        AssertBounded(Init.DefaultWeight(shape, new Random(1)), 1f / MathF.Sqrt(fanIn));
        AssertBounded(Init.DefaultBias(64, 288, new Random(1)), 1f / MathF.Sqrt(fanIn));
    }

    [Fact]
    public void NormalInitialisersHaveTheRightStandardDeviation()
    {
        var shape = new Shape(256, 128);
        Assert.Equal(MathF.Sqrt(2f / 128), Std(Init.KaimingNormal(shape, rng: new Random(2))), 2);
        Assert.Equal(MathF.Sqrt(2f / 384), Std(Init.XavierNormal(shape, rng: new Random(2))), 2);
    }

    [Fact]
    public void SeedingTheSharedGeneratorMakesInitialisationReproducible()
    {
        Init.Seed(42);
        var a = Init.KaimingUniform(new Shape(4, 4)).ToArray();
        Init.Seed(42);
        Assert.Equal(a, Init.KaimingUniform(new Shape(4, 4)).ToArray());
    }

    private static void AssertBounded(Tensor t, float bound)
    {
        var v = t.ToArray();
        Assert.All(v, x => Assert.InRange(x, -bound, bound));
        Assert.True(v.Max() > 0.9f * bound && v.Min() < -0.9f * bound, "samples should fill the interval");
    }

    private static float Std(Tensor t)
    {
        var v = t.ToArray();
        double mean = v.Average();
        return (float)Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / v.Length);
    }
}
