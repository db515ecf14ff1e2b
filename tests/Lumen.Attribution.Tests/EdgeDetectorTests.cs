using Lumen.Attribution.Baselines;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests;

public class EdgeDetectorTests
{
    [Fact]
    public void Sobel_magnitude_of_a_vertical_step_is_four_at_the_centre()
    {
        var x = Tensor.FromArray([0f, 0, 1, 0, 0, 1, 0, 0, 1], 1, 1, 3, 3);
        var map = new EdgeDetector(new Identity()).Explain(x, Target.Class(0)).Map.ToArray();
        Assert.Equal(4f, map[4]); // Gx = (1 + 2 + 1) − 0, Gy = 1 − 1
        Assert.Equal(0f, map[0]);              // zero padding: nothing but zeros around (0, 0)
        Assert.Equal(MathF.Sqrt(10), map[1]);  // (0, 1): Gx = 2·1 + 1 = 3, Gy = 1 (the padded row above is 0)
    }

    [Fact]
    public void Sequences_get_the_central_difference_and_the_target_is_ignored()
    {
        var x = Tensor.FromArray([1f, 3, 6], 1, 3);
        var method = new EdgeDetector(new Identity());
        Assert.Equal([1.5f, 2.5f, 1.5f], method.Explain(x, Target.Class(0)).Map.ToArray());
        Assert.Equal(method.Explain(x, Target.Class(0)).Map.ToArray(), method.Explain(x, Target.Class(5)).Map.ToArray());
        Assert.Equal("edge-detector", KnownAttributionMethods.Find("sobel").Name);
    }
}
