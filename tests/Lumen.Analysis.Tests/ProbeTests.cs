using Lumen.Analysis.Probing;
using Lumen.Tensors;

namespace Lumen.Analysis.Tests;

public class ProbeTests
{
    /// <summary>Two Gaussian blobs per class in 4-D; the class is the sign of feature 0 (linear), or of the product of
    /// features 0 and 1 (XOR: not linear).</summary>
    private static (Tensor X, int[] Linear, int[] Xor) Data(int n, int seed)
    {
        var x = Tensor.Randn(new Shape(n, 4), seed);
        var v = x.ToArray();
        return (x, [.. Enumerable.Range(0, n).Select(i => v[i * 4] > 0 ? 1 : 0)], [.. Enumerable.Range(0, n).Select(i => v[i * 4] * v[i * 4 + 1] > 0 ? 1 : 0)]);
    }

    [Fact]
    public void A_linear_probe_reads_a_linear_property_and_only_an_mlp_reads_xor()
    {
        var (train, linear, xor) = Data(400, 1);
        var (test, linearTest, xorTest) = Data(200, 2);
        var p0 = Probe.Fit(train, linear, 2);
        Assert.True(p0.Accuracy(test, linearTest) > 0.95, $"acc {p0.Accuracy(test, linearTest)} train {p0.Accuracy(train, linear)} losses {string.Join(", ", p0.Losses)}");
        double linearOnXor = Probe.Fit(train, xor, 2).Accuracy(test, xorTest);
        double mlpOnXor = Probe.Fit(train, xor, 2, new() { Kind = ProbeKind.Mlp, Hidden = 32, Epochs = 60, LearningRate = 0.01f }).Accuracy(test, xorTest);
        Assert.InRange(linearOnXor, 0.3, 0.7);
        Assert.True(mlpOnXor > 0.85, $"MLP on XOR: {mlpOnXor}");
    }

    [Fact]
    public void Training_is_seeded_and_the_loss_falls()
    {
        var (train, linear, _) = Data(100, 3);
        var a = Probe.Fit(train, linear, 2, new() { Seed = 4 });
        var b = Probe.Fit(train, linear, 2, new() { Seed = 4 });
        Assert.Equal(a.Losses, b.Losses);
        Assert.True(a.Losses[^1] < 0.8 * a.Losses[0], $"losses {a.Losses[0]} → {a.Losses[^1]}");
        Assert.Throws<ArgumentException>(() => Probe.Fit(train, [.. linear.Take(10)], 2));
        Assert.Throws<ArgumentException>(() => Probe.Fit(train, [.. linear.Select(l => l + 5)], 2));
    }

    [Fact]
    public void Control_labels_are_constant_per_type_and_follow_the_label_distribution()
    {
        int[] types = [0, 1, 0, 2, 1, 0];
        int[] labels = [3, 3, 3, 3, 3, 3];
        var control = ControlTask.Labels(types, labels, 4);
        Assert.All(control, c => Assert.Equal(3, c)); // every real label is 3, so every control label is 3
        var mixed = ControlTask.Labels(types, [0, 1, 2, 3, 0, 1], 4, seed: 5);
        Assert.Equal(mixed[0], mixed[2]);
        Assert.Equal(mixed[0], mixed[5]);
        Assert.Equal(mixed[1], mixed[4]);
    }

    [Fact]
    public void Prototype_types_send_each_example_to_its_nearest_prototype()
    {
        var x = Tensor.FromArray([0f, 0f, 10f, 10f, 0.5f, 0f, 9f, 10f], 4, 2);
        var types = ControlTask.TypesByPrototype(x, types: 4);
        Assert.Equal(4, types.Distinct().Count()); // every example is its own prototype
        var pairs = Tensor.FromArray([0f, 0f, 0f, 0f, 10f, 10f, 10f, 10f], 4, 2); // two pairs of equal inputs
        for (int seed = 0; seed < 5; seed++)
        {
            var two = ControlTask.TypesByPrototype(pairs, types: 2, seed: seed);
            Assert.Equal(two[0], two[1]);
            Assert.Equal(two[2], two[3]);
        }
        Assert.Throws<ArgumentException>(() => ControlTask.TypesByPrototype(pairs, types: 5));
    }
}
