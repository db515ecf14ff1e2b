using System.Diagnostics;
using System.Globalization;
using Lumen.NN.IO;
using Lumen.NN.Training;
using Lumen.Samples.MnistTraining;
using Lumen.Tensors;

// Trains SmallCnn on 8,000 of the bundled 10,000 MNIST digits and reports accuracy on the 2,000 held out.
// Usage: dotnet run -c Release --project samples/Lumen.Samples.MnistTraining -- [--out DIR] [--epochs N]
//        [--batch N] [--lr X] [--seed N] [--threads N] [--data DIR] [--no-augment]
var options = TrainingOptions.Parse(args);
if (options.Threads is { } threads) Parallelism.MaxDegree = threads;
var total = Stopwatch.StartNew();
var all = Idx.LoadLabelledImages(options.DataDirectory, mean: 0.1307f, std: 0.3081f); // the usual MNIST normalisation
var (train, heldOut) = all.Split(heldOut: 2000, options.Seed);
Console.WriteLine($"MNIST: {train.Count} training and {heldOut.Count} held-out digits from {options.DataDirectory}; {Parallelism.MaxDegree} threads");

Lumen.NN.Init.Seed(options.Seed);
var model = SmallCnn.Create(channels: 1, side: 28, classes: 10);
Console.WriteLine($"SmallCnn: {model.Parameters().Sum(p => p.Shape.Size):N0} parameters in {string.Join(", ", model.Children.Select(c => c.Name))}");
var training = new ClassifierTrainingOptions
{
    Epochs = options.Epochs,
    BatchSize = options.BatchSize,
    LearningRate = options.LearningRate,
    Seed = options.Seed,
    Augment = options.Augment ? (images, count, rng) => Augmentation.RandomShift(images, count, maxShift: 2, rng) : null,
};
double accuracy = 0;
var watch = Stopwatch.StartNew();
ClassifierTraining.Fit(model, train, training, (epoch, loss) =>
{
    accuracy = ClassifierTraining.Accuracy(model, heldOut);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"epoch {epoch,2}/{options.Epochs}  train loss {loss:F4}  held-out accuracy {accuracy:P2}  {watch.Elapsed.TotalSeconds:F1} s"));
    watch.Restart();
});

Directory.CreateDirectory(options.OutputDirectory);
var path = Path.Combine(options.OutputDirectory, "mnist-cnn.safetensors");
Safetensors.Save(model, path, new Dictionary<string, string>
{
    ["model"] = "SmallCnn",
    ["held_out_accuracy"] = accuracy.ToString("F4", CultureInfo.InvariantCulture),
    ["epochs"] = options.Epochs.ToString(CultureInfo.InvariantCulture),
});
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"saved {path}; held-out accuracy {accuracy:P2}; total {total.Elapsed.TotalSeconds:F1} s"));
return 0;
