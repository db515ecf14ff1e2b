using Lumen.NN.Layers;
using Lumen.NN.Optim;
using Lumen.Tensors;

namespace Lumen.NN.Tests;

public class TrainingTests
{
    [Fact]
    public void AdamWTrainingOfASmallMlpDrivesTheLossDown()
    {
        // Two Gaussian blobs per class on a 2-D plane, 3 classes.
        var rng = new Random(5);
        int n = 96;
        var points = new float[n * 2];
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 3;
            double angle = 2 * Math.PI * labels[i] / 3;
            points[2 * i] = (float)(2 * Math.Cos(angle) + 0.5 * (rng.NextDouble() - 0.5));
            points[2 * i + 1] = (float)(2 * Math.Sin(angle) + 0.5 * (rng.NextDouble() - 0.5));
        }
        var x = Tensor.FromArray(points, n, 2);
        var y = Tensor.FromArray(labels);
        var model = new Sequential(new Linear(2, 16, rng: new Random(1)), new Tanh(), new Linear(16, 3, rng: new Random(2)));
        var optimizer = new AdamW(model.Parameters(), learningRate: 0.05f);
        float first = 0, last = 0;
        for (int step = 0; step < 30; step++)
        {
            optimizer.ZeroGrad();
            var loss = Loss.CrossEntropy(model.Call(x), y);
            loss.Backward();
            optimizer.Step();
            if (step == 0) first = loss.Item();
            last = loss.Item();
        }
        Assert.True(last < 0.25f * first, $"loss fell from {first} to only {last}");
        Assert.All(model.Parameters(), p => Assert.NotNull(p.Grad));
    }

    [Fact]
    public void SgdWithMomentumTrainsALinearRegression()
    {
        var x = Tensor.FromArray([0f, 1f, 2f, 3f, 4f], 5, 1);
        var y = Tensor.FromArray([1f, 3f, 5f, 7f, 9f], 5, 1); // y = 2x + 1
        var model = new Linear(1, 1, rng: new Random(3));
        var optimizer = new Sgd(model.Parameters(), 0.02f, momentum: 0.9f);
        for (int step = 0; step < 300; step++)
        {
            optimizer.ZeroGrad();
            Loss.MseLoss(model.Call(x), y).Backward();
            optimizer.Step();
        }
        Assert.Equal(2f, model.Weight.Value[0, 0], 2);
        Assert.Equal(1f, model.Bias!.Value[0], 2);
    }
}
