using Lumen.Attribution;
using Lumen.Attribution.Gradient;
using Lumen.Metrics.Randomisation;
using Lumen.NN;
using Lumen.Tensors;

namespace Lumen.Metrics.Tests;

public class RandomisationTests
{
    private static MetricInput Input(Module model, Func<Module, IAttributionMethod> explainer)
    {
        var x = Tensor.Rand(new Shape(2, 1, 4, 4), seed: 4);
        return new MetricInput(model, x, explainer(model).Explain(x, Target.Class(0)).Map, Target.Class(0)) { Explainer = explainer };
    }

    [Fact]
    public void Cascading_randomisation_runs_top_down_and_restores_the_model()
    {
        var model = Toy.Mlp();
        var before = model.StateDict().ToDictionary(p => p.Key, p => p.Value.ToArray());
        var result = new ModelParameterRandomisation().Evaluate(Input(model, m => new Saliency(m)));
        Assert.Equal(["5", "3", "1"], result.Curve!.Labels!);
        Assert.Equal([1.0, 2, 3], result.Curve.X);
        foreach (var (name, value) in model.StateDict()) Assert.Equal(before[name], value.ToArray());
        // once the last layer is random the gradient map is no longer the trained one
        Assert.All(result.Curves!, c => Assert.True(c.Y[^1] < 0.9, $"similarity {c.Y[^1]}"));
    }

    [Fact]
    public void Read_only_weights_are_randomised_and_restored_read_only_with_the_results_of_writable_ones()
    {
        var writable = new ModelParameterRandomisation().Evaluate(Input(Toy.Mlp(), m => new Saliency(m)));
        var model = Toy.Mlp().MakeWeightsReadOnly();             // as a loaded ONNX model's are
        var before = model.StateDict().ToDictionary(p => p.Key, p => p.Value.ToArray());
        var result = new ModelParameterRandomisation().Evaluate(Input(model, m => new Saliency(m)));
        Assert.Equal(writable.Curves!.Select(c => c.Y), result.Curves!.Select(c => c.Y));
        Assert.All(model.Parameters(), p => Assert.True(p.IsReadOnly));
        foreach (var (name, value) in model.StateDict()) Assert.Equal(before[name], value.ToArray());
    }

    [Fact]
    public void A_model_independent_control_keeps_similarity_one_at_every_layer()
    {
        foreach (var mode in new[] { RandomisationMode.Cascading, RandomisationMode.Independent })
        {
            var result = new ModelParameterRandomisation(new() { Mode = mode }).Evaluate(Input(Toy.Mlp(), _ => new InputMagnitude()));
            Assert.All(result.Curves!, c => Assert.All(c.Y, y => Assert.Equal(1, y, 12)));
            Assert.Equal(1, result.Value, 12);
        }
    }

    [Fact]
    public void Smooth_randomisation_averages_the_same_noisy_inputs_so_the_control_stays_at_one()
    {
        var metric = new ModelParameterRandomisation(new() { NoiseSamples = 3 });
        Assert.Equal("smooth-model-parameter-randomisation", metric.Name);
        var control = metric.Evaluate(Input(Toy.Mlp(), _ => new InputMagnitude()));
        Assert.All(control.Curves!, c => Assert.All(c.Y, y => Assert.Equal(1, y, 12)));
        var gradient = metric.Evaluate(Input(Toy.Mlp(), m => new Saliency(m)));
        Assert.All(gradient.Curves!, c => Assert.True(c.Y[^1] < 0.9, $"similarity {c.Y[^1]}"));
    }

    [Fact]
    public void Checkpoints_pick_evenly_spread_layers_including_the_last()
    {
        var result = new ModelParameterRandomisation(new() { Checkpoints = 1 }).Evaluate(Input(Toy.Mlp(), m => new Saliency(m)));
        Assert.Equal(["1"], result.Curve!.Labels!);
    }

    [Fact]
    public void Restores_the_model_when_the_explainer_throws()
    {
        var model = Toy.Mlp();
        var before = model.StateDict().ToDictionary(p => p.Key, p => p.Value.ToArray());
        var input = Input(model, m => new Saliency(m)) with { Explainer = _ => throw new InvalidOperationException("boom") };
        Assert.Throws<InvalidOperationException>(() => new ModelParameterRandomisation().Evaluate(input));
        foreach (var (name, value) in model.StateDict()) Assert.Equal(before[name], value.ToArray());
    }

    [Fact]
    public void Random_logit_of_a_class_blind_control_is_one()
    {
        Assert.Equal(1, new RandomLogit().Evaluate(Input(Toy.Mlp(), _ => new InputMagnitude())).Value, 12);
        var gradient = new RandomLogit().Evaluate(Input(Toy.Mlp(), m => new Saliency(m, new() { Absolute = false })));
        Assert.True(gradient.Value < 1);
    }
}
