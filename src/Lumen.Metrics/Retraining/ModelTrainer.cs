using Lumen.Attribution;
using Lumen.Metrics.Common;
using Lumen.NN;
using Lumen.NN.Training;
using Lumen.Tensors;

namespace Lumen.Metrics.Retraining;

/// <summary>What the retraining metrics share: a fresh model trained on a data set, and a whole data set explained
/// for its labels.</summary>
internal static class ModelTrainer
{
    /// <summary>A model built with the options' factory (same initial weights every time) and trained on <paramref name="data"/>.</summary>
    public static Module Train(LabelledData data, RetrainingOptions options, CancellationToken cancellation)
    {
        var model = options.CreateModel?.Invoke(data, options.Seed) ?? DefaultModel(data, options.Seed);
        ClassifierTraining.Fit(model, data, options.Training with { Seed = options.Seed }, cancellation: cancellation);
        return model;
    }

    /// <summary>The attribution of every sample for its label, flattened sample after sample, input-shaped.</summary>
    public static float[] ExplainAll(IAttributionMethod method, LabelledData data, int batchSize, CancellationToken cancellation)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"ExplainBatchSize must be positive, got {batchSize}.");
        var maps = new float[data.Inputs.Length];
        for (int start = 0; start < data.Count; start += batchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            int count = Math.Min(batchSize, data.Count - start);
            var input = data.InputTensor(start, count);
            var target = Target.Classes([.. data.Labels.AsSpan(start, count).ToArray().Select(l => (int)l)]);
            var map = MapShape.ToInput(method.Explain(input, target, cancellation).Map, input.Shape, method.Name);
            map.AsReadOnlySpan().CopyTo(maps.AsSpan(start * data.SampleSize, count * data.SampleSize));
        }
        return maps;
    }

    private static Module DefaultModel(LabelledData data, int seed)
    {
        var shape = data.SampleShape;
        if (shape.Length != 3 || shape[1] != shape[2])
            throw new ArgumentException($"Retraining: the default model (SmallCnn) needs square images [C, S, S], got [{string.Join(", ", shape)}]; set RetrainingOptions.CreateModel.");
        return SmallCnn.Create(shape[0], shape[1], (int)data.Labels.Max() + 1, rng: new Random(seed));
    }
}
