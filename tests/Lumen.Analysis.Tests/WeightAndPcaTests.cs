using Lumen.Analysis.Projection;
using Lumen.Analysis.Weights;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Onnx;
using Lumen.Tensors;

namespace Lumen.Analysis.Tests;

public class WeightAndPcaTests
{
    [Fact]
    public void Singular_values_and_ranks_match_hand_computed_matrices()
    {
        // diag(3, 4) padded with a zero column: σ = (4, 3)
        var w = Tensor.FromArray([3f, 0f, 0f, 0f, 4f, 0f], 2, 3);
        Assert.Equal([4.0, 3.0], WeightAnalysis.SingularValues(w).Select(s => Math.Round(s, 9)));
        Assert.Equal(25 / 16.0, WeightAnalysis.StableRank([4.0, 3.0]), 12);
        Assert.Equal(2.0, WeightAnalysis.EffectiveRank([1.0, 1.0]), 12);
        // a [O, I, k, k] weight is read as O × (I·k·k): a rank-one conv weight has one non-zero σ = ‖w‖
        var conv = Tensor.FromArray([1f, 2f, 2f, 0f, 2f, 4f, 4f, 0f], 2, 1, 2, 2);
        var s = WeightAnalysis.SingularValues(conv);
        Assert.Equal(Math.Sqrt(9 + 36), s[0], 5);
        Assert.Equal(0, s[1], 5);
    }

    [Fact]
    public void Statistics_cover_every_parameter_and_first_layer_filters_are_found()
    {
        var model = new Sequential(new Conv2d(3, 4, 3, rng: new Random(1)), new Relu(), new Flatten(), new Linear(4, 2, rng: new Random(2)));
        var stats = WeightAnalysis.Statistics(model);
        Assert.Equal(model.NamedParameters().Select(p => p.Name), stats.Select(s => s.Name));
        var weight = model.NamedParameters().First().Parameter.Value.ToArray();
        Assert.Equal(weight.Average(v => (double)v), stats[0].Mean, 6);
        Assert.Equal(Math.Sqrt(weight.Sum(v => (double)v * v)), stats[0].Norm, 5);
        var (name, filters) = WeightAnalysis.FirstLayerFilters(model);
        Assert.Equal("0.weight", name);
        Assert.Equal([4, 3, 3, 3], filters.Shape.ToArray());
        Assert.Throws<InvalidOperationException>(() => WeightAnalysis.FirstLayerFilters(new Sequential(new Linear(2, 2))));
    }

    [Fact]
    public void Mobilenetv2_first_layer_filters_are_the_stem_convolution()
    {
        var model = OnnxModel.Load(SharedData.InRepository("models/imagenet/mobilenetv2-1.0-224.onnx"));
        var (_, filters) = WeightAnalysis.FirstLayerFilters(model);
        Assert.Equal([32, 3, 3, 3], filters.Shape.ToArray());
    }

    [Fact]
    public void Pca_finds_the_direction_of_a_line_and_projects_onto_it()
    {
        // points t·(3, 4)/5 + (1, 1) for t = −2, −1, 0, 1, 2, plus a small orthogonal wiggle e·(−4, 3)/5
        float[] t = [-2, -1, 0, 1, 2], e = [0.1f, -0.2f, 0.2f, -0.2f, 0.1f]; // Σe = Σt·e = 0: e is uncorrelated with t
        var data = t.Zip(e).SelectMany(p => new[] { 1 + p.First * 0.6f - p.Second * 0.8f, 1 + p.First * 0.8f + p.Second * 0.6f }).ToArray();
        var pca = Pca.Fit(Tensor.FromArray(data, 5, 2), components: 2);
        Assert.Equal(0.6f, pca.Components[0, 0], 4);
        Assert.Equal(0.8f, pca.Components[0, 1], 4);
        Assert.Equal(10 / 4.0, pca.ExplainedVariance[0], 4);            // Σt² / (N − 1)
        Assert.Equal(10 / 10.14, pca.ExplainedVarianceRatio[0], 4);
        var projected = pca.Transform(Tensor.FromArray(data, 5, 2));
        Assert.Equal(t, Enumerable.Range(0, 5).Select(i => (float)Math.Round(projected[i, 0], 4)));
        Assert.Throws<ArgumentException>(() => Pca.Fit(Tensor.FromArray(data, 5, 2), components: 3));
    }
}
