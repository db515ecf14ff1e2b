using Lumen.Attribution;
using Lumen.Attribution.Baselines;
using Lumen.Attribution.Gradient;
using Lumen.Metrics.Randomisation;
using Lumen.Metrics.Retraining;
using Lumen.NN;
using Lumen.NN.Layers;
using Lumen.NN.Training;
using Lumen.Tensors;

namespace Lumen.Metrics.Tests;

public class RetrainingTests
{
    private const int Informative = 5;

    /// <summary>4×4 one-channel images, zero except pixel 5 = ±2; the label is its sign. Classes are exactly balanced.</summary>
    private static LabelledData OnePixelData(int count, int seed)
    {
        var rng = new Random(seed);
        var inputs = new float[count * 16];
        var labels = new long[count];
        var order = Statistics(count, rng);
        for (int i = 0; i < count; i++)
        {
            labels[i] = order[i] % 2;
            inputs[i * 16 + Informative] = labels[i] == 1 ? 2 : -2;
        }
        return new LabelledData(inputs, labels, [1, 4, 4]);
    }

    private static int[] Statistics(int count, Random rng) => Common.Statistics.Shuffled(count, rng);

    /// <summary>An "attribution" that knows the informative pixel: 1 there, 0 elsewhere.</summary>
    private sealed class Oracle : IAttributionMethod
    {
        public string Name => "oracle";

        public Attribution.Attribution Explain(Tensor input, Target target, CancellationToken cancellation = default, IProgress<double>? progress = null)
        {
            var map = new float[input.Size];
            for (int b = 0; b < input.Shape[0]; b++) map[b * 16 + Informative] = 1;
            return new(Tensor.FromArray(map, input.Shape.ToArray()), target, Name);
        }
    }

    private static readonly RetrainingOptions Linear = new()
    {
        CreateModel = (_, seed) => new Sequential(new Flatten(), new Linear(16, 2, rng: new Random(seed))),
        Training = new ClassifierTrainingOptions { Epochs = 20, BatchSize = 16, LearningRate = 0.05f },
    };

    [Fact]
    public void Replace_swaps_the_top_k_for_roar_and_the_rest_for_kar()
    {
        var data = new LabelledData([1f, 2, 3, 4], [0], [1, 2, 2]);
        int[][] ranking = [[2, 0, 3, 1]];
        Assert.Equal([9f, 2, 9, 4], RemoveAndRetrain.Replace(data, ranking, 0.5, RetrainingMode.Remove, [9f]).Inputs);
        Assert.Equal([1f, 9, 3, 9], RemoveAndRetrain.Replace(data, ranking, 0.5, RetrainingMode.Keep, [9f]).Inputs);
        Assert.Equal([1f, 2, 3, 4], RemoveAndRetrain.Replace(data, ranking, 0, RetrainingMode.Remove, [9f]).Inputs);
    }

    [Fact]
    public void Noisy_linear_imputation_fills_removed_pixels_from_their_neighbours()
    {
        // v(y, x) = x² + 3y on 3×3; the centre (4) is the most relevant pixel
        var data = new LabelledData([0f, 1, 4, 3, 4, 7, 6, 7, 10], [0], [1, 3, 3]);
        int[][] ranking = [[4, 0, 1, 2, 3, 5, 6, 7, 8]];
        var exact = new RemoveAndRetrainOptions { Fill = RemovalFill.NoisyLinear, ImputationNoise = 0 };
        // ROAR at 1/9: the centre becomes the mean of its 4-neighbours (1 + 3 + 7 + 7) / 4; nothing else moves
        Assert.Equal([0f, 1, 4, 3, 4.5f, 7, 6, 7, 10], RemoveAndRetrain.Replace(data, ranking, 1.0 / 9, RetrainingMode.Remove, [9f], exact).Inputs);
        // KAR at 1/9: only the centre is known, so the harmonic fill is flat at its value
        Assert.Equal(Enumerable.Repeat(4f, 9), RemoveAndRetrain.Replace(data, ranking, 1.0 / 9, RetrainingMode.Keep, [9f], exact).Inputs);
        // the noise is seeded and small
        var noisy = exact with { ImputationNoise = 0.01f };
        var a = RemoveAndRetrain.Replace(data, ranking, 1.0 / 9, RetrainingMode.Remove, [9f], noisy).Inputs;
        Assert.Equal(a, RemoveAndRetrain.Replace(data, ranking, 1.0 / 9, RetrainingMode.Remove, [9f], noisy).Inputs);
        Assert.NotEqual(4.5f, a[4]);
        Assert.InRange(a[4], 4.45f, 4.55f);
    }

    [Fact]
    public void Removing_the_one_informative_pixel_leaves_chance_and_keeping_it_alone_keeps_everything()
    {
        var options = new RemoveAndRetrainOptions { Fractions = [1.0 / 16], Retraining = Linear };
        var result = new RemoveAndRetrain(options).Evaluate(OnePixelData(64, 1), OnePixelData(32, 2), [("oracle", _ => new Oracle())]);
        Assert.Equal(1, result.BaseAccuracy);
        // every test image becomes all-zero (the channel mean is 0): one prediction for all, half of them right
        Assert.Equal([0.5], result.Curve("oracle", RetrainingMode.Remove).Accuracy);
        Assert.Equal([1.0], result.Curve("oracle", RetrainingMode.Keep).Accuracy);
        // a random ranking rarely removes pixel 5 and rarely keeps it
        Assert.True(result.Curve(RemoveAndRetrain.RandomRanking, RetrainingMode.Remove).Accuracy[0] > 0.5);
        Assert.True(result.Curve(RemoveAndRetrain.RandomRanking, RetrainingMode.Keep).Accuracy[0] < 1);
        Assert.Equal(ScoreDirection.LowerIsBetter, RetrainingResult.Direction(RetrainingMode.Remove));
    }

    [Fact]
    public void Bad_options_are_refused_with_the_reason()
    {
        var data = OnePixelData(8, 1);
        Assert.Contains("fractions", Assert.Throws<ArgumentException>(() => new RemoveAndRetrain(new() { Fractions = [1.5] }).Evaluate(data, data, [])).Message);
        Assert.Contains("unique", Assert.Throws<ArgumentException>(() => new RemoveAndRetrain().Evaluate(data, data, [("random", _ => new Oracle())])).Message);
        var other = new LabelledData(new float[9], [0], [1, 3, 3]);
        Assert.Contains("shape", Assert.Throws<ArgumentException>(() => new RemoveAndRetrain().Evaluate(data, other, [])).Message);
    }

    [Fact]
    public void Data_randomisation_leaves_the_edge_detector_unchanged_and_changes_the_gradient()
    {
        var result = new DataRandomisation(new() { Retraining = Linear }).Evaluate(OnePixelData(64, 1), OnePixelData(8, 2),
            [("edge-detector", m => new EdgeDetector(m)), ("saliency", m => new Saliency(m))]);
        Assert.All(result.Result("edge-detector").PerSample, s => Assert.Equal(1, s, 12));
        Assert.Equal(1, result.TrainAccuracy);
        Assert.True(result.Result("saliency").Value < 0.9, $"saliency similarity {result.Result("saliency").Value}");
    }
}
