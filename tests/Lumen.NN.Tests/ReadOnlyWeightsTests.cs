using Lumen.NN.Layers;
using Lumen.NN.Optim;
using Lumen.NN.Training;
using Lumen.Tensors;

namespace Lumen.NN.Tests;

/// <summary>A module's read-only weights (<see cref="Module.MakeWeightsReadOnly"/>): optimisers, <see cref="Parameter.CopyFrom"/>
/// and <see cref="Module.LoadStateDict"/> refuse them, naming the parameter, with nothing written; a writable scope
/// opens only the weights that were read-only and closes them again; training works through such a scope.</summary>
public class ReadOnlyWeightsTests
{
    private static Sequential Model() => new(new Linear(3, 4, rng: new Random(1)), new Relu(), new Linear(4, 2, rng: new Random(2)));

    [Fact]
    public void Writers_refuse_read_only_weights_naming_them_and_write_nothing()
    {
        var model = Model();
        var state = model.StateDict().ToDictionary(p => p.Key, p => p.Value.Clone());
        foreach (var t in state.Values) t.AsSpan().Fill(0.5f);
        var before = model.Parameters().Select(p => p.Value.ToArray()).ToList();
        Assert.Same(model, model.MakeWeightsReadOnly());
        Assert.All(model.Parameters(), p => Assert.True(p.IsReadOnly));
        var load = Assert.Throws<InvalidOperationException>(() => model.LoadStateDict(state));
        Assert.Contains("0.weight", load.Message);
        var first = model.Parameters().First();
        var copy = Assert.Throws<InvalidOperationException>(() => first.CopyFrom(state["0.weight"]));
        Assert.Contains("'0.weight'", copy.Message);
        model.Call(Tensor.Randn(new Shape(5, 3), 3)).Sum().Backward();
        var step = Assert.Throws<InvalidOperationException>(() => new Sgd(model.Parameters(), 0.1f).Step());
        Assert.Contains("Sgd", step.Message);
        Assert.Equal(before, model.Parameters().Select(p => p.Value.ToArray()).ToList());
        model.MakeWeightsWritable();
        model.LoadStateDict(state);
        Assert.All(model.Parameters(), p => Assert.All(p.Value.ToArray(), v => Assert.Equal(0.5f, v)));
    }

    [Fact]
    public void A_step_over_a_writable_head_and_a_read_only_body_updates_neither()
    {
        // fine-tuning a new head on a loaded (read-only) model without opening it: the head comes first in the list
        var body = new Linear(3, 4, rng: new Random(1));
        var head = new Linear(4, 2, rng: new Random(2));
        body.MakeWeightsReadOnly();
        head.Call(body.Call(Tensor.Randn(new Shape(5, 3), 3))).Sum().Backward();
        var before = head.Parameters().Concat(body.Parameters()).Select(p => p.Value.ToArray()).ToList();
        var adam = new AdamW(head.Parameters().Concat(body.Parameters()), 0.1f);
        var step = Assert.Throws<InvalidOperationException>(adam.Step);
        Assert.Contains("read-only", step.Message);
        Assert.Equal(0, adam.StepCount);
        Assert.Equal(before, head.Parameters().Concat(body.Parameters()).Select(p => p.Value.ToArray()).ToList());
    }

    [Fact]
    public void A_writable_scope_opens_only_the_read_only_weights_and_closes_them_again()
    {
        var model = Model();
        var layers = model.Parameters().ToList();
        layers[0].Value.MakeReadOnly();
        using (model.WritableWeights())
        {
            Assert.All(layers, p => Assert.False(p.IsReadOnly));
            layers[0].Value.AsSpan()[0] = 42f;
        }
        Assert.True(layers[0].IsReadOnly);
        Assert.Equal(42f, layers[0].Value.AsReadOnlySpan()[0]);
        Assert.All(layers.Skip(1), p => Assert.False(p.IsReadOnly));
    }

    [Fact]
    public void Training_read_only_weights_trains_them_and_leaves_them_read_only()
    {
        var inputs = new float[32 * 2];
        var labels = new long[32];
        for (int i = 0; i < 32; i++)
        {
            labels[i] = i % 2;
            inputs[2 * i] = labels[i] == 1 ? 1f : -1f;
        }
        var data = new LabelledData(inputs, labels, [2]);
        var model = new Linear(2, 2, rng: new Random(1));
        model.MakeWeightsReadOnly();
        var before = model.Parameters().Select(p => p.Value.ToArray()).ToList();
        ClassifierTraining.Fit(model, data, new() { Epochs = 3, BatchSize = 8, LearningRate = 0.1f });
        Assert.All(model.Parameters(), p => Assert.True(p.IsReadOnly));
        Assert.NotEqual(before, model.Parameters().Select(p => p.Value.ToArray()).ToList());
    }
}
