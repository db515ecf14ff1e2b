using Lumen.Tensors.Autograd;
using static Lumen.Tensors.Tests.TestTensors;

namespace Lumen.Tensors.Tests;

/// <summary>The backward rules of the movement and indexing ops are themselves recorded ops, so second derivatives work.</summary>
public class HigherOrderMovementTests
{
    [Fact]
    public void Second_derivative_through_slice_permute_pad_and_index_select()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3).RequireGrad();
        // f = Σ (pad(permute(x))[..] picked by IndexSelect)³ ; every element of x appears once in the selection
        Tensor F(Tensor t)
        {
            var moved = t.Permute(1, 0).Pad([1, 0, 0, 0]).Slice(0, 1, 4).IndexSelect(1, Longs([1, 0])).Flip(0);
            return (moved * moved * moved).Sum();
        }
        var g = Gradients.Of([F(x)], [x], createGraph: true)[0];
        Assert.Equal(x.ToArray().Select(v => 3 * v * v), g.ToArray());
        var h = Gradients.Of(g.Sum(), x);
        Assert.Equal(x.ToArray().Select(v => 6 * v), h.ToArray());
    }

    [Fact]
    public void Second_derivative_through_gather_and_scatter()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2).RequireGrad();
        var index = Longs([1, 0, 0, 1], 2, 2);
        var gathered = x.Gather(1, index);                                  // a permutation of x
        var scattered = Tensor.Zeros(2, 2).ScatterElements(1, index, gathered * gathered);
        var g = Gradients.Of([scattered.Sum()], [x], createGraph: true)[0];
        Assert.Equal(x.ToArray().Select(v => 2 * v), g.ToArray());
        Assert.Equal(new float[] { 2, 2, 2, 2 }, Gradients.Of(g.Sum(), x).ToArray());
    }

    [Fact]
    public void Flipped_runs_of_every_length_are_reversed_exactly()
    {
        for (int n = 0; n <= 70; n++)
        {
            var x = Sequence(3, n);
            var y = x.Flip(-1).ToArray();
            for (int r = 0; r < 3; r++)
                for (int j = 0; j < n; j++) Assert.Equal(r * n + n - 1 - j, y[r * n + j]);
        }
    }
}
