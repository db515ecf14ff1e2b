using Lumen.Analysis.Visualization;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.Onnx;
using Lumen.Tensors;

namespace Lumen.Analysis.Tests;

public class FeatureVisualizationTests
{
    private static readonly FeatureVisualizationOptions Small = new() { Height = 16, Width = 16, Steps = 30, LearningRate = 0.2f };

    private static Sequential TinyCnn() => new(new Conv2d(3, 4, 3, padding: 1, rng: new Random(5)), new Relu(), new Conv2d(4, 2, 3, padding: 1, rng: new Random(6)), new Relu(),
        new AdaptiveAvgPool2d(1, 1), new Flatten(), new Linear(2, 3, rng: new Random(7)));

    [Theory]
    [InlineData(ImageParameterization.Pixel)]
    [InlineData(ImageParameterization.Fourier)]
    public void Optimisation_raises_the_objective_and_is_seeded(ImageParameterization parameterization)
    {
        var model = TinyCnn();
        var options = Small with { Parameterization = parameterization };
        var objective = Objective.Channel("1", 2);
        var a = new FeatureVisualization(model, options).Visualize(objective, batch: 2);
        var b = new FeatureVisualization(model, options).Visualize(objective, batch: 2);
        Assert.Equal(a.Images.ToArray(), b.Images.ToArray());
        Assert.Equal([2, 3, 16, 16], a.Images.Shape.ToArray());
        Assert.True(a.FinalValue > 3 * a.StartValue && a.FinalValue > a.StartValue + 1e-3f, $"{parameterization}: objective {a.StartValue} → {a.FinalValue}");
        Assert.All(a.Images.ToArray(), v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(0, model.Hooks.Count);
    }

    [Fact]
    public void Terms_read_what_they_name()
    {
        var model = new Sequential(new Identity());
        var x = Tensor.FromArray([.. Enumerable.Range(0, 2 * 3 * 2 * 2).Select(i => i / 24f)], 2, 3, 2, 2);
        var viz = new FeatureVisualization(model, Small with { Height = 8, Width = 8 });
        // channel 1 mean of batch 0: values 4..7 / 24; neuron (1, 1, 1) of batch 1: value 12 + 4 + 3 = 19 / 24.
        Assert.Equal((4 + 5 + 6 + 7) / 4f / 24f, viz.Evaluate(Objective.Channel("0", 1, batch: 0), x), 6);
        Assert.Equal(19 / 24f, viz.Evaluate(Objective.Neuron("0", 1, 1, 1, batch: 1), x), 6);
        Assert.Equal((0 + 1 + 2 + 3) / 4f / 24f * 2 - (8 + 9 + 10 + 11) / 4f / 24f, viz.Evaluate(Objective.Direction("0", [2f, 0f, -1f], batch: 0), x), 5);
        Assert.Equal(2 * 19 / 24f + 1.5f / 24f, viz.Evaluate(2f * Objective.Neuron("0", 1, 1, 1, batch: 1) + Objective.Channel("0", 0, batch: 0), x), 5);
        Assert.Equal(-1f, viz.Evaluate(Objective.Diversity("0"), Tensor.Ones(2, 3, 2, 2)), 5); // identical styles: cos = 1, (−2)/2
    }

    [Fact]
    public void Class_objective_reads_the_output_and_bad_requests_are_refused()
    {
        var model = TinyCnn();
        var viz = new FeatureVisualization(model, Small with { Steps = 20 });
        var result = viz.Visualize(Objective.Class(1));
        Assert.True(result.FinalValue > result.StartValue);
        Assert.Contains("nope", Assert.Throws<ArgumentException>(() => viz.Visualize(Objective.Channel("nope", 0))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Objective.Channel("1", -1));
        Assert.Throws<ArgumentException>(() => new FeatureVisualization(model, Small with { InputScale = [1f] }));
    }

    [Fact]
    public void Mobilenetv2_channel_visualization_raises_the_channel_by_a_large_factor()
    {
        var model = OnnxModel.Load(SharedData.InRepository("models/imagenet/mobilenetv2-1.0-224.onnx"));
        var options = new FeatureVisualizationOptions { Steps = 12, InputScale = [2f, 2f, 2f], InputShift = [-1f, -1f, -1f], Seed = 1 };
        var objective = Objective.Channel("MobilenetV2_expanded_conv_3_expand_Relu6", 7);
        var result = new FeatureVisualization(model, options).Visualize(objective);
        Assert.True(result.FinalValue > 5 * Math.Max(result.StartValue, 0.01f), $"channel mean {result.StartValue} → {result.FinalValue}");
    }
}
