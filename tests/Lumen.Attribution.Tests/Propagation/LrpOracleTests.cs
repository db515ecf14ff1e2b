using Lumen.Attribution.Propagation;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Attribution.Tests.Propagation;

/// <summary>Captum's analytic LRP oracles (tests/attr/test_lrp.py, ANCHORS §1.1).</summary>
public sealed class LrpOracleTests
{
    /// <summary>Captum's SimpleLRPModel: Linear 3→3 (weights 2), ReLU, Linear 3→1 (weights 3), no biases.</summary>
    internal static Sequential SimpleLrpModel(bool negativeFirstWeight = false, bool tanh = false, float weight1 = 2f, float weight2 = 3f)
    {
        var first = new Linear(3, 3, bias: false);
        var second = new Linear(3, 1, bias: false);
        first.Weight.Value.AsSpan().Fill(weight1);
        second.Weight.Value.AsSpan().Fill(weight2);
        if (negativeFirstWeight) first.Weight.Value.AsSpan()[0] = -2f;
        return new Sequential(first, tanh ? new Tanh() : new Relu(), second);
    }

    private static float[] Explain(Module model, Composite composite, float[] x, int batch = 1) =>
        new Lrp(model, new() { Composite = composite }).Explain(Tensor.FromArray(x, batch, 3), Target.Class(0)).Map.ToArray();

    [Fact]
    public void Epsilon_GivesCaptumValues()
    {
        GradAssert.Close([18f, 36f, 54f], Explain(SimpleLrpModel(), Composites.Epsilon(1e-9f), [1, 2, 3]), 1e-4f);
    }

    [Fact]
    public void Epsilon_BatchOfTwo_GivesCaptumValues()
    {
        GradAssert.Close([18f, 36f, 54f, 54f, 108f, 162f], Explain(SimpleLrpModel(), Composites.Epsilon(1e-9f), [1, 2, 3, 3, 6, 9], batch: 2), 1e-3f);
    }

    [Fact]
    public void Gamma_GivesCaptumValues()
    {
        var composite = Composites.ByRole("gamma", Rules.Gamma(1f, 1e-9f), Rules.Gamma(1f, 1e-9f));
        GradAssert.Close([28f / 3, 104f / 3, 52f], Explain(SimpleLrpModel(negativeFirstWeight: true), composite, [1, 2, 3]), 1e-4f);
    }

    [Fact]
    public void Alpha1Beta0_GivesCaptumValues()
    {
        var composite = Composites.ByRole("alpha1-beta0", Rules.AlphaBeta(1f, 0f, 1e-9f), Rules.AlphaBeta(1f, 0f, 1e-9f));
        GradAssert.Close([12f, 33.6f, 50.4f], Explain(SimpleLrpModel(negativeFirstWeight: true), composite, [1, 2, 3]), 1e-4f);
    }

    [Fact]
    public void PassOnFirstLayer_EpsilonElsewhere_GivesCaptumValues()
    {
        var composite = Composites.Epsilon(1e-9f) with { FirstLayer = Rules.Pass };
        GradAssert.Close([24f, 36f, 36f], Explain(SimpleLrpModel(negativeFirstWeight: true), composite, [1, 2, 3]), 1e-4f);
    }

    [Fact]
    public void LinearTanhLinear_GivesCaptumValues()
    {
        var model = SimpleLrpModel(tanh: true, weight1: 0.1f, weight2: 0.1f);
        GradAssert.Close([0.0269f, 0.0537f, 0.0806f], Explain(model, Composites.Epsilon(1e-9f), [1, 2, 3]), 1e-4f);
    }

    [Fact]
    public void Epsilon_ReportsConservationDelta()
    {
        var result = new Lrp(SimpleLrpModel(), new() { Composite = Composites.Epsilon(1e-9f) }).Explain(Tensor.FromArray([1f, 2, 3], 1, 3), Target.Class(0));
        Assert.NotNull(result.Delta);
        Assert.True(Math.Abs(result.Delta!.ToArray()[0]) < 1e-3f, $"delta {result.Delta.ToArray()[0]}");
        Assert.Equal("lrp", result.Method);
    }
}
