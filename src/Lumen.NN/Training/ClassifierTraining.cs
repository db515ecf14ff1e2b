using Lumen.NN.Optim;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.NN.Training;

/// <summary>Trains a classifier with cross-entropy and AdamW, and measures its accuracy: the loop shared by the MNIST
/// sample and by the metrics that retrain models (ROAR/KAR, data randomisation).</summary>
/// <remarks>Per step: ηₜ = η·½(1 + cos(πt/T)); loss = CE(f(x), y); AdamW update. Loshchilov &amp; Hutter, "SGDR" (ICLR 2017)
/// for the cosine schedule.</remarks>
/// <example><code>ClassifierTraining.Fit(model, train, new() { Epochs = 3 }); var accuracy = ClassifierTraining.Accuracy(model, test);</code></example>
public static class ClassifierTraining
{
    /// <summary>Trains <paramref name="model"/> in place; <paramref name="onEpoch"/> hears (epoch, mean training loss)
    /// after each epoch. Leaves the model in evaluation mode. Read-only weights (a loaded model's) are writable while
    /// it trains and read-only again afterwards.</summary>
    public static void Fit(Module model, LabelledData data, ClassifierTrainingOptions? options = null, Action<int, double>? onEpoch = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new();
        if (options.Epochs < 0 || options.BatchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), $"ClassifierTraining: epochs ({options.Epochs}) must be ≥ 0 and the batch size ({options.BatchSize}) positive.");
        if (data.Count == 0) throw new ArgumentException("ClassifierTraining: no training samples.", nameof(data));
        using var writable = model.WritableWeights();
        var optimizer = new AdamW(model.Parameters(), options.LearningRate, weightDecay: options.WeightDecay);
        var rng = new Random(options.Seed);
        int stepsPerEpoch = (data.Count + options.BatchSize - 1) / options.BatchSize, totalSteps = stepsPerEpoch * options.Epochs, step = 0;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            model.Train();
            var order = Enumerable.Range(0, data.Count).ToArray();
            rng.Shuffle(order);
            double lossSum = 0;
            for (int start = 0; start < order.Length; start += options.BatchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                var batch = data.Subset(order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start)));
                optimizer.LearningRate = options.LearningRate * 0.5f * (1 + MathF.Cos(MathF.PI * step++ / totalSteps));
                var inputs = options.Augment is { } augment ? augment(batch.Inputs, batch.Count, rng) : batch.Inputs;
                var x = Tensor.FromArray(inputs, [batch.Count, .. batch.SampleShape]);
                var y = Tensor.FromArray(batch.Labels);
                optimizer.ZeroGrad();
                var loss = Loss.CrossEntropy(model.Call(x), y);
                loss.Backward();
                optimizer.Step();
                lossSum += loss.Item() * batch.Count;
            }
            onEpoch?.Invoke(epoch, lossSum / data.Count);
        }
        model.Eval();
    }

    /// <summary>The fraction of samples whose largest output is their label, in evaluation mode without gradients.</summary>
    public static double Accuracy(Module model, LabelledData data, int batchSize = 500)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0) throw new ArgumentException("ClassifierTraining: no samples to score.", nameof(data));
        model.Eval();
        using var noGrad = GradMode.Off();
        int correct = 0;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, data.Count - start);
            var logits = model.Call(data.InputTensor(start, count));
            int classes = logits.Size / count;
            var values = logits.ToArray();
            for (int i = 0; i < count; i++)
            {
                var row = values.AsSpan(i * classes, classes);
                int best = 0;
                for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
                if (best == data.Labels[start + i]) correct++;
            }
        }
        return (double)correct / data.Count;
    }
}
