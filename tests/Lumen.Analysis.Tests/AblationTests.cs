using Lumen.Analysis.Patching;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Tensors;

namespace Lumen.Analysis.Tests;

public class AblationTests
{
    /// <summary>y = W·h with h = x (identity layer "0"), W = [[1, 2, 3], [4, 5, 6]].</summary>
    private static Sequential Model()
    {
        var linear = new Linear(3, 2, bias: false);
        Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3).AsReadOnlySpan().CopyTo(linear.Weight.Value.AsSpan());
        return new Sequential(new Identity(), linear);
    }

    private static readonly Tensor X = Tensor.FromArray([1f, 1f, 1f, 2f, 0f, 1f], 2, 3);
    private static readonly Tensor Reference = Tensor.FromArray([0f, 2f, 4f, 2f, 4f, 6f], 2, 3); // mean (1, 3, 5)

    [Fact]
    public void Zero_ablation_removes_the_unit_from_the_output()
    {
        var y = new Ablation(Model(), "0").Run(X, [1]);
        Assert.Equal([4f, 10f, 5f, 14f], y.ToArray()); // h = (1, 0, 1), (2, 0, 1)
    }

    [Fact]
    public void Mean_ablation_substitutes_the_reference_mean()
    {
        var y = new Ablation(Model(), "0", AblationMode.Mean, Reference).Run(X, [0, 2]);
        Assert.Equal([1 + 2 + 15f, 4 + 5 + 30f, 1 + 0 + 15f, 4 + 0 + 30f], y.ToArray()); // h = (1, x1, 5)
    }

    [Fact]
    public void Resample_ablation_takes_the_unit_from_a_reference_example_and_is_seeded()
    {
        var ablation = new Ablation(Model(), "0", AblationMode.Resample, Reference, seed: 3);
        var a = ablation.Run(X, [0]).ToArray();
        Assert.Equal(a, new Ablation(Model(), "0", AblationMode.Resample, Reference, seed: 3).Run(X, [0]).ToArray());
        // unit 0 becomes 0 or 2 (a reference example's value); the rest is unchanged
        Assert.Contains(a[0], new[] { 0f + 2 + 3, 2f + 2 + 3 });
        Assert.Contains(a[2], new[] { 0f + 0 + 3, 2f + 0 + 3 });
    }

    [Fact]
    public void Scan_reports_each_units_mean_effect_and_leaves_no_hook()
    {
        var model = Model();
        var effects = new Ablation(model, "0").Scan(X, y => y.Slice(1, 0, 1).Reshape(-1)); // score: y₀ = h₀ + 2h₁ + 3h₂
        Assert.Equal([-1.5, -1.0, -3.0], effects.Select(e => e.ScoreChange));
        Assert.Equal([0, 1, 2], effects.Select(e => e.Channel));
        Assert.Equal([1.0, 1.0, 1.0], effects.Select(e => e.Agreement)); // y = (6, 15), (5, 14): class 1 wins with any one unit gone
        var all = new Ablation(model, "0").Measure(X, [0, 1, 2], y => y.Slice(1, 0, 1).Reshape(-1));
        Assert.Equal((-1, -5.5, 0.0), (all.Channel, all.ScoreChange, all.Agreement)); // every output 0: the first class wins the tie, not class 1
        Assert.Equal(0, model.Hooks.Count);
        Assert.Throws<ArgumentException>(() => new Ablation(model, "0", AblationMode.Mean));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Ablation(model, "0").Run(X, [3]));
        Assert.Equal(0, model.Hooks.Count);
    }
}
