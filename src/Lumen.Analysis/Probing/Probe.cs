using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.NN.Optim;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Analysis.Probing;

/// <summary>
/// A diagnostic classifier trained on cached activations (Alain &amp; Bengio 2016, https://arxiv.org/abs/1610.01644):
/// how linearly (or MLP-) decodable a property is from a layer. Compare against a <see cref="ControlTask"/> to
/// separate what the representation encodes from what the probe can memorise (Hewitt &amp; Liang 2019).
/// </summary>
/// <remarks>Features are standardised with the training mean and standard deviation; the probe minimises the mean
/// cross-entropy with AdamW over shuffled minibatches. Accuracy = fraction of argmax predictions equal to the label.</remarks>
/// <example><code>
/// var probe = Probe.Fit(trainFeatures, trainLabels, classes: 10, new() { Kind = ProbeKind.Mlp });
/// double accuracy = probe.Accuracy(testFeatures, testLabels);
/// </code></example>
public sealed class Probe
{
    private readonly Module network;
    private readonly Tensor mean, scale;

    private Probe(Module network, Tensor mean, Tensor scale)
    {
        this.network = network;
        this.mean = mean;
        this.scale = scale;
    }

    /// <summary>Training loss (mean cross-entropy) after each epoch.</summary>
    public IReadOnlyList<float> Losses { get; private init; } = [];

    /// <summary>Trains a probe on <paramref name="features"/> [N, …] (flattened to [N, D]) and integer
    /// <paramref name="labels"/> in [0, <paramref name="classes"/>).</summary>
    /// <exception cref="ArgumentException">Mismatched counts, a label out of range, or invalid options.</exception>
    public static Probe Fit(Tensor features, IReadOnlyList<int> labels, int classes, ProbeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        options ??= new ProbeOptions();
        var x = Check(features, labels, classes);
        if (options.Epochs < 1 || options.BatchSize < 1 || options.Hidden < 1)
            throw new ArgumentException($"Probe: epochs ({options.Epochs}), batch size ({options.BatchSize}) and hidden units ({options.Hidden}) must be ≥ 1.", nameof(options));
        int n = x.Shape[0], d = x.Shape[1];
        var mean = x.Mean(0, keepDims: true);
        var scale = ((x - mean) * (x - mean)).Mean(0, keepDims: true).Sqrt().Maximum(Tensor.Scalar(1e-6f)).Reciprocal();
        var z = (x - mean) * scale;
        var rng = new Random(options.Seed);
        Module network = options.Kind == ProbeKind.Linear
            ? new Sequential(new Linear(d, classes, rng: rng))
            : new Sequential(new Linear(d, options.Hidden, rng: rng), new Relu(), new Linear(options.Hidden, classes, rng: rng));
        var optimizer = new AdamW(network.Parameters(), options.LearningRate, weightDecay: options.WeightDecay);
        var targets = labels.Select(l => (long)l).ToArray();
        var order = Enumerable.Range(0, n).ToArray();
        var losses = new List<float>();
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            rng.Shuffle(order);
            double total = 0;
            for (int start = 0; start < n; start += options.BatchSize)
            {
                var rows = order[start..Math.Min(n, start + options.BatchSize)];
                var batch = z.IndexSelect(0, Tensor.FromArray([.. rows.Select(r => (long)r)], rows.Length));
                var loss = Loss.CrossEntropy(network.Call(batch), Tensor.FromArray([.. rows.Select(r => targets[r])], rows.Length));
                optimizer.ZeroGrad();
                loss.Backward();
                optimizer.Step();
                total += loss.Item() * rows.Length;
            }
            losses.Add((float)(total / n));
        }
        return new Probe(network, mean, scale) { Losses = losses };
    }

    /// <summary>Predicted classes of <paramref name="features"/> [N, …].</summary>
    public int[] Predict(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var x = features.Reshape(features.Shape[0], -1);
        if (x.Shape[1] != mean.Shape[1]) throw new ArgumentException($"Probe: trained on {mean.Shape[1]} features, got {x.Shape[1]}.");
        using (GradMode.Off()) return [.. network.Call((x - mean) * scale).ArgMax(1).ToInt64Array().Select(v => (int)v)];
    }

    /// <summary>Fraction of <paramref name="features"/> whose predicted class equals <paramref name="labels"/>.</summary>
    public double Accuracy(Tensor features, IReadOnlyList<int> labels)
    {
        var predicted = Predict(features);
        if (predicted.Length != labels.Count) throw new ArgumentException($"Probe: {predicted.Length} examples but {labels.Count} labels.");
        return predicted.Where((p, i) => p == labels[i]).Count() / (double)predicted.Length;
    }

    private static Tensor Check(Tensor features, IReadOnlyList<int> labels, int classes)
    {
        if (features.Rank < 2 || features.Shape[0] == 0) throw new ArgumentException($"Probe: expected features [N, …] with N ≥ 1, got {features.Shape}.");
        if (features.Shape[0] != labels.Count) throw new ArgumentException($"Probe: {features.Shape[0]} feature rows but {labels.Count} labels.");
        if (classes < 2) throw new ArgumentException($"Probe: needs at least 2 classes, got {classes}.");
        foreach (var l in labels) if (l < 0 || l >= classes) throw new ArgumentException($"Probe: label {l} is outside [0, {classes}).");
        return features.Reshape(features.Shape[0], -1);
    }
}
