using Lumen.NN.Layers;
using Lumen.Tensors;
using Lumen.Tensors.Tests;

namespace Lumen.NN.Tests;

public class LinearTests
{
    [Fact]
    public void ComputesXTimesWeightTransposedPlusBias()
    {
        var layer = new Linear(3, 2);
        layer.Weight.CopyFrom(Tensor.FromArray([1f, 0f, -1f, 2f, 1f, 0.5f], 2, 3));
        layer.Bias!.CopyFrom(Tensor.FromArray([0.5f, -1f]));
        var x = Tensor.FromArray([1f, 2f, 3f, -1f, 0f, 2f], 2, 3);
        Assert.Equal([1 - 3 + 0.5f, 2 + 2 + 1.5f - 1, -1 - 2 + 0.5f, -2 + 1 - 1], layer.Call(x).ToArray());
        Assert.Equal(new Shape(4, 5, 2), layer.Call(Tensor.Zeros(4, 5, 3)).Shape);
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        var layer = new Linear(5, 3, rng: new Random(4));
        // The parameters themselves are passed as inputs, so finite differences perturb what Call uses.
        GradCheck.Assert(t => layer.Call(t[0]), [Tensor.Randn(new Shape(4, 5), 1), layer.Weight.Value, layer.Bias!.Value]);
        var x = Tensor.Randn(new Shape(2, 7, 5), 2);
        layer.Call(x).Sum().Backward();
        // dL/db = number of rows; dL/dW[o, i] = Σ_rows x[.., i].
        Assert.All(layer.Bias!.Grad!.ToArray(), g => Assert.Equal(14f, g, 4));
        var columnSums = Enumerable.Range(0, 5).Select(i => Enumerable.Range(0, 14).Sum(r => x.AsReadOnlySpan()[r * 5 + i])).ToArray();
        GradCheck.Close(columnSums, layer.Weight.Grad!.ToArray().Take(5).ToArray(), 1e-4f, 1e-4f);
    }

    [Fact]
    public void DefaultInitialisationIsBoundedByOneOverSqrtFanIn()
    {
        var layer = new Linear(100, 50, rng: new Random(9));
        Assert.All(layer.Weight.Value.ToArray(), w => Assert.InRange(w, -0.1f, 0.1f));
        Assert.All(layer.Bias!.Value.ToArray(), b => Assert.InRange(b, -0.1f, 0.1f));
        Assert.Null(new Linear(2, 2, bias: false).Bias);
        Assert.Equal(["weight"], new Linear(2, 2, bias: false).NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void RejectsBadSizesAndInputs()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Linear(0, 2));
        var layer = new Sequential([("fc", (Module)new Linear(3, 2))]);
        var error = Assert.Throws<ArgumentException>(() => layer.Call(Tensor.Zeros(2, 4)));
        Assert.Contains("Linear 'fc'", error.Message);
        Assert.Contains("[2, 4]", error.Message);
    }
}
