using System.IO.Compression;
using Lumen.NN.IO;
using Lumen.NN.Layers;
using Lumen.NN.Training;
using Lumen.Tensors;

namespace Lumen.NN.Tests;

public class TrainingTests
{
    [Fact]
    public void Labelled_data_subsets_splits_and_checks_its_sizes()
    {
        var data = new LabelledData([0f, 1, 2, 3, 4, 5], [7, 8, 9], [2]);
        var subset = data.Subset([2, 0]);
        Assert.Equal([4f, 5, 0, 1], subset.Inputs);
        Assert.Equal([9L, 7], subset.Labels);
        var (kept, heldOut) = data.Split(heldOut: 1, seed: 3);
        Assert.Equal(2, kept.Count);
        Assert.Equal([7L, 8, 9], kept.Labels.Concat(heldOut.Labels).Order());
        Assert.Equal(new Shape(2, 2), data.InputTensor(1, 2).Shape);
        Assert.Throws<ArgumentException>(() => new LabelledData(new float[5], [1, 2], [2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Subset([3]));
    }

    [Fact]
    public void Idx_reads_plain_and_gzipped_files_and_refuses_other_bytes()
    {
        var folder = Directory.CreateTempSubdirectory("lumen-idx-").FullName;
        try
        {
            // two 2×2 images and their labels
            File.WriteAllBytes(Path.Combine(folder, "t-images-idx3-ubyte"), [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 255, 51, 102, 1, 2, 3, 4]);
            using (var gz = new GZipStream(File.Create(Path.Combine(folder, "t-labels-idx1-ubyte.gz")), CompressionLevel.Fastest))
                gz.Write([0, 0, 8, 1, 0, 0, 0, 2, 3, 9]);
            var data = Idx.LoadLabelledImages(folder, mean: 0, std: 0.5f);
            Assert.Equal([1, 2, 2], data.SampleShape);
            Assert.Equal([3L, 9], data.Labels);
            Assert.Equal(2f, data.Inputs[1]);       // 255/255 / 0.5
            Assert.Equal(0.4f, data.Inputs[2], 6);  // 51/255 / 0.5
            File.WriteAllBytes(Path.Combine(folder, "bad"), [1, 2, 3, 4]);
            Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => Idx.Read(Path.Combine(folder, "bad"))).Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Training_separates_a_separable_problem_and_accuracy_counts_arg_max_hits()
    {
        // label = sign of the first feature
        var rng = new Random(2);
        var inputs = new float[64 * 2];
        var labels = new long[64];
        for (int i = 0; i < 64; i++)
        {
            labels[i] = i % 2;
            inputs[2 * i] = (labels[i] == 1 ? 1 : -1) * (0.5f + (float)rng.NextDouble());
            inputs[2 * i + 1] = (float)rng.NextDouble() - 0.5f;
        }
        var data = new LabelledData(inputs, labels, [2]);
        var model = new Linear(2, 2, rng: new Random(1));
        var losses = new List<double>();
        ClassifierTraining.Fit(model, data, new() { Epochs = 10, BatchSize = 16, LearningRate = 0.1f }, (_, loss) => losses.Add(loss));
        Assert.Equal(10, losses.Count);
        Assert.True(losses[^1] < losses[0]);
        Assert.Equal(1, ClassifierTraining.Accuracy(model, data));
        Assert.False(model.Training);
    }

    [Fact]
    public void Small_cnn_maps_mnist_sized_images_to_class_scores()
    {
        var model = SmallCnn.Create(channels: 1, side: 28, classes: 10, rng: new Random(1));
        Assert.Equal(80_202, model.Parameters().Sum(p => p.Shape.Size));
        Assert.Equal(new Shape(2, 10), model.Call(Tensor.Zeros(2, 1, 28, 28)).Shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => SmallCnn.Create(side: 8));
    }
}
