using System.Diagnostics;
using System.Globalization;
using Lumen.NN;
using Lumen.NN.IO;
using Lumen.NN.Optim;
using Lumen.Samples.MnistTraining;
using Lumen.Tensors;
using Lumen.Tensors.Autograd;

// Trains MnistCnn on 8,000 of the bundled 10,000 MNIST digits and reports accuracy on the 2,000 held out.
// Usage: dotnet run -c Release --project samples/Lumen.Samples.MnistTraining -- [--out DIR] [--epochs N]
//        [--batch N] [--lr X] [--seed N] [--threads N] [--data DIR] [--no-augment]
var options = TrainingOptions.Parse(args);
if (options.Threads is { } threads) Parallelism.MaxDegree = threads;
var total = Stopwatch.StartNew();
var all = MnistData.Load(options.DataDirectory);
var (train, heldOut) = all.Split(heldOut: 2000, options.Seed);
Console.WriteLine($"MNIST: {train.Count} training and {heldOut.Count} held-out digits from {options.DataDirectory}; {Parallelism.MaxDegree} threads");

Init.Seed(options.Seed);
var model = MnistCnn.Create();
Console.WriteLine($"MnistCnn: {model.Parameters().Sum(p => p.Shape.Size):N0} parameters in {string.Join(", ", model.Children.Select(c => c.Name))}");
var optimizer = new AdamW(model.Parameters(), options.LearningRate, weightDecay: 1e-4f);
var rng = new Random(options.Seed);
int stepsPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize, step = 0, totalSteps = stepsPerEpoch * options.Epochs;
float accuracy = 0;
for (int epoch = 1; epoch <= options.Epochs; epoch++)
{
    var watch = Stopwatch.StartNew();
    model.Train();
    var order = Enumerable.Range(0, train.Count).ToArray();
    rng.Shuffle(order);
    double lossSum = 0;
    for (int start = 0; start < order.Length; start += options.BatchSize)
    {
        var batch = train.Subset(order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start)));
        // Cosine decay of the learning rate over all steps.
        optimizer.LearningRate = options.LearningRate * 0.5f * (1 + MathF.Cos(MathF.PI * step++ / totalSteps));
        var images = options.Augment ? Augmentation.RandomShift(batch.Images, batch.Count, maxShift: 2, rng) : batch.Images;
        var x = Tensor.FromArray(images, batch.Count, 1, MnistData.Side, MnistData.Side); // [B, 1, 28, 28]
        var y = Tensor.FromArray(batch.Labels);                                           // [B]
        optimizer.ZeroGrad();
        var loss = Loss.CrossEntropy(model.Call(x), y);
        loss.Backward();
        optimizer.Step();
        lossSum += loss.Item() * batch.Count;
    }
    accuracy = Evaluate(model, heldOut);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"epoch {epoch,2}/{options.Epochs}  train loss {lossSum / train.Count:F4}  held-out accuracy {accuracy:P2}  {watch.Elapsed.TotalSeconds:F1} s"));
}

Directory.CreateDirectory(options.OutputDirectory);
var path = Path.Combine(options.OutputDirectory, "mnist-cnn.safetensors");
Safetensors.Save(model, path, new Dictionary<string, string>
{
    ["model"] = "MnistCnn",
    ["held_out_accuracy"] = accuracy.ToString("F4", CultureInfo.InvariantCulture),
    ["epochs"] = options.Epochs.ToString(CultureInfo.InvariantCulture),
});
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"saved {path}; held-out accuracy {accuracy:P2}; total {total.Elapsed.TotalSeconds:F1} s"));
return 0;

// Fraction of digits whose largest logit is the label, without recording gradients.
static float Evaluate(Module model, MnistData data)
{
    model.Eval();
    using var noGrad = GradMode.Off();
    int correct = 0;
    for (int start = 0; start < data.Count; start += 500)
    {
        int count = Math.Min(500, data.Count - start);
        var batch = data.Subset(Enumerable.Range(start, count).ToArray());
        var logits = model.Call(Tensor.FromArray(batch.Images, count, 1, MnistData.Side, MnistData.Side)).ToArray(); // [count, 10]
        for (int i = 0; i < count; i++)
        {
            var row = logits.AsSpan(i * 10, 10);
            int best = 0;
            for (int c = 1; c < 10; c++) if (row[c] > row[best]) best = c;
            if (best == batch.Labels[i]) correct++;
        }
    }
    return (float)correct / data.Count;
}
